/** The overview's line of throughput (messages per second, all connectors), loaded on demand (recharts is large). */
import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface ThroughputPoint {
  t: number;
  perSecond: number;
}

export default function ThroughputChart({ points }: { points: ThroughputPoint[] }) {
  return (
    <div className="chart" role="img" aria-label={`Throughput, last ${points.length} readings`}>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(t: number) => new Date(t).toLocaleTimeString()}
            minTickGap={40}
          />
          <YAxis width={40} allowDecimals />
          <Tooltip
            labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()}
            formatter={(v) => [`${Number(v).toFixed(1)}/s`, 'Throughput']}
          />
          <Line type="monotone" dataKey="perSecond" stroke="#2563eb" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
