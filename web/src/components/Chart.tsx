/**
 * A traffic chart in a labelled figure; the chart's code (recharts) loads on first use, so
 * the console's first page stays small.
 */
import { lazy, Suspense } from 'react';
import type { TrafficPoint } from './TrafficChart';

const TrafficChart = lazy(() => import('./TrafficChart'));

export function Chart(props: { title: string; data: TrafficPoint[]; empty?: string; height?: number }) {
  const total = props.data.reduce((n, p) => n + p.sent, 0);
  return (
    <figure className="traffic-chart" aria-label={props.title}>
      <figcaption>{props.title}</figcaption>
      {total === 0 && props.empty ? <p className="hint">{props.empty}</p> : null}
      <div className="chart-area" style={{ height: props.height ?? 260 }}>
        <Suspense fallback={<p className="loading">Loading the chart…</p>}>
          <TrafficChart data={props.data} height={props.height ?? 260} />
        </Suspense>
      </div>
    </figure>
  );
}

export type { TrafficPoint };
