/** A message state as a coloured word (never colour alone: the word is the state). */
const TONE: Record<string, string> = {
  delivered: 'good',
  sent: 'info',
  queued: 'neutral',
  accepted: 'neutral',
  scheduled: 'neutral',
  undelivered: 'bad',
  failed: 'bad',
  rejected: 'bad',
  expired: 'bad',
  canceled: 'neutral',
  partially_delivered: 'warn',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${TONE[status] ?? 'neutral'}`}>{status.replace(/_/g, ' ')}</span>;
}
