/**
 * Messages sent, delivered and failed per period or per group, as bars (recharts). Loaded
 * lazily through Chart.tsx, so recharts is a chunk of its own, fetched by the pages that chart.
 */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface TrafficPoint {
  label: string;
  sent: number;
  delivered: number;
  failed: number;
}

export default function TrafficChart({ data, height = 260 }: { data: TrafficPoint[]; height?: number }) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={8} />
        <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend itemSorter={null} />
        <Bar dataKey="sent" name="Sent" fill="#0b5fff" isAnimationActive={false} />
        <Bar dataKey="delivered" name="Delivered" fill="#137a3b" isAnimationActive={false} />
        <Bar dataKey="failed" name="Failed" fill="#b42318" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
