/**
 * Step 4: what will be sent, to how many, and what it costs against the balance. Start is
 * refused (disabled, with the reason) when the balance does not cover the estimate, unless
 * the customer chooses to send what it covers.
 */
import type { Campaign, Estimate } from '../../api/campaigns';
import type { Draft } from './draft';

/** Whether the estimate costs more than the balance (both as the API gives them). */
export const overBalance = (e: Estimate | undefined, balance: string | undefined) =>
  e !== undefined && balance !== undefined && Number(e.cost) > Number(balance);

export function ReviewStep(props: {
  draft: Draft;
  set: (change: Partial<Draft>) => void;
  campaign: Campaign | undefined;
  estimate: Estimate | undefined;
  preparing: boolean;
  balance: string | undefined;
}) {
  const { draft, estimate, balance } = props;
  const over = overBalance(estimate, balance);
  const when =
    draft.when === 'now'
      ? 'As soon as it is started'
      : `${draft.scheduleAt.replace('T', ' ')} (${draft.timeZone})${draft.repeat ? `, then every ${draft.repeat}` : ''}`;
  return (
    <>
      <dl className="facts">
        <dt>Campaign</dt>
        <dd>{draft.name}</dd>
        <dt>From</dt>
        <dd>{draft.from}</dd>
        <dt>When</dt>
        <dd>{when}</dd>
        <dt>Quiet hours</dt>
        <dd>{draft.quiet ? `${draft.quietFrom}–${draft.quietTo}, recipient’s time` : 'none'}</dd>
        <dt>Rate cap</dt>
        <dd>{draft.rate ? `${draft.rate} messages per second` : 'none'}</dd>
      </dl>
      <h2>Cost</h2>
      {props.preparing && <p className="loading">Pricing every recipient…</p>}
      {estimate && !props.preparing && (
        <>
          <dl className="facts" aria-label="Estimate">
            <dt>Recipients</dt>
            <dd>{estimate.recipients}</dd>
            <dt>Parts</dt>
            <dd>{estimate.parts}</dd>
            <dt>Estimated cost</dt>
            <dd>{estimate.cost}</dd>
            <dt>Your balance</dt>
            <dd>{balance ?? '…'}</dd>
          </dl>
          {estimate.typical && (
            <>
              <h2>A typical message</h2>
              <p className="message-text">{estimate.typical.text}</p>
              <p className="hint">
                {estimate.typical.segments} {estimate.typical.segments === 1 ? 'part' : 'parts'} ·{' '}
                {estimate.typical.encoding} · {estimate.typical.price}
                {estimate.worst && estimate.worst.segments > estimate.typical.segments
                  ? ` (the longest is ${estimate.worst.segments} parts)`
                  : ''}
              </p>
            </>
          )}
          {over && (
            <div className="note warning" role="alert">
              The estimated cost ({estimate.cost}) is more than your balance ({balance}). Top up first, or
              send only to as many recipients as the balance covers (the rest are skipped).
            </div>
          )}
          {(over || draft.sendWhatBalanceCovers) && (
            <label className="check">
              <input
                type="checkbox"
                checked={draft.sendWhatBalanceCovers}
                onChange={(e) => props.set({ sendWhatBalanceCovers: e.target.checked })}
              />
              Send what the balance covers
            </label>
          )}
        </>
      )}
      {props.campaign && (
        <p className="hint">Saved as draft campaign {props.campaign.id} while you review it.</p>
      )}
    </>
  );
}
