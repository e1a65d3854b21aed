/** A campaign's state as a coloured word (the word is the state; colour only helps). */
import type { CampaignState } from '../../api/campaigns';

const TONE: Record<CampaignState, string> = {
  draft: 'neutral',
  scheduled: 'info',
  running: 'info',
  paused: 'warn',
  completed: 'good',
  canceled: 'neutral',
};

export function CampaignStateBadge({ state }: { state: CampaignState }) {
  return <span className={`badge ${TONE[state]}`}>{state}</span>;
}
