/**
 * A new campaign in four steps: Audience, Message, Schedule, Review. Review saves it as a
 * draft (POST /v1/campaigns) and prices every recipient (its estimate); Start starts it, Save
 * as draft leaves it. An API error that names a field is shown at that field, on its step.
 */
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import {
  createCampaign,
  deleteDraft,
  estimateCampaign,
  startCampaign,
  type Campaign,
  type Estimate,
} from '../api/campaigns';
import { useBalance } from '../api/messages';
import { ErrorNote } from '../components/ErrorNote';
import { emptyDraft, hasAudience, STEPS, stepOfField, toInput, type Draft } from './campaigns/draft';
import { AudienceStep } from './campaigns/AudienceStep';
import { MessageStep } from './campaigns/MessageStep';
import { ScheduleStep } from './campaigns/ScheduleStep';
import { overBalance, ReviewStep } from './campaigns/ReviewStep';

/** The wizard's own checks before moving on, by field (the API checks the rest). */
function missing(step: number, d: Draft): Record<string, string> {
  const out: Record<string, string> = {};
  if (step === 0) {
    if (!d.name.trim()) out.name = 'Name the campaign.';
    if (!d.from.trim()) out.from = 'Enter the sender.';
    if (!hasAudience(d)) out.audience = 'Choose a group or paste numbers.';
  }
  if (step === 1) {
    if (d.source === 'text' && !d.text.trim()) out.text = 'Write the message.';
    if (d.source === 'template' && d.templateId === null) out.template_id = 'Choose a template.';
  }
  if (step === 2 && d.when === 'later' && !d.scheduleAt) out.schedule_at = 'Choose the date and time.';
  return out;
}

/** Whether an API error's field is this one (or one of its items: `audience.groups[0]`). */
const names = (apiField: string | undefined, field: string) =>
  apiField !== undefined &&
  (apiField === field ||
    apiField.startsWith(`${field}[`) ||
    (field.includes('.') && apiField.startsWith(`${field}.`)));

export function CampaignWizard() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const balance = useBalance();
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<{ key: string; campaign: Campaign; estimate?: Estimate }>();
  const [busy, setBusy] = useState(false);
  const preparing = useRef(false);
  const key = JSON.stringify(toInput(draft));

  const set = (change: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...change }));
    setLocal({});
    setError(undefined);
  };
  const apiField = error instanceof ApiError ? error.field : undefined;
  const errorOf = (field: string) =>
    local[field] ?? (names(apiField, field) ? (error as ApiError).message : undefined);

  // On Review: the draft saved (the previous one, made for other choices, deleted) and priced.
  useEffect(() => {
    if (step !== 3 || saved?.key === key || preparing.current || error) return;
    preparing.current = true;
    setBusy(true);
    void (async () => {
      try {
        if (saved) await deleteDraft(saved.campaign.id).catch(() => undefined);
        setSaved(undefined);
        const campaign = await createCampaign(toInput(draft));
        setSaved({ key, campaign });
        setSaved({ key, campaign, estimate: await estimateCampaign(campaign.id) });
        void qc.invalidateQueries({ queryKey: ['campaigns'] });
      } catch (err) {
        setError(err);
        const s = stepOfField(err instanceof ApiError ? err.field : undefined);
        if (s < 3) setStep(s);
      } finally {
        preparing.current = false;
        setBusy(false);
      }
    })();
  }, [step, key, saved, draft, qc, error]);

  const next = () => {
    const m = missing(step, draft);
    setLocal(m);
    if (Object.keys(m).length === 0) {
      setError(undefined);
      setStep(step + 1);
    }
  };
  const start = async () => {
    if (!saved) return;
    setBusy(true);
    try {
      await startCampaign(saved.campaign.id);
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
      void navigate(`/campaigns/${saved.campaign.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const over = overBalance(saved?.estimate, balance.data?.balance);
  const props = { draft, set, errorOf };
  // Shown at its field when it names one of this step's; else here, above the buttons.
  const stepError = step === 3 || stepOfField(apiField) === 3 ? error : undefined;

  return (
    <section className="wizard">
      <h1>New campaign</h1>
      <ol className="steps">
        {STEPS.map((s, i) => (
          <li
            key={s}
            aria-current={i === step ? 'step' : undefined}
            className={i < step ? 'done' : undefined}
          >
            {i + 1}. {s}
          </li>
        ))}
      </ol>
      <form className="narrow" noValidate onSubmit={(e) => e.preventDefault()}>
        <h2>{STEPS[step]}</h2>
        {step === 0 && <AudienceStep {...props} />}
        {step === 1 && <MessageStep {...props} />}
        {step === 2 && <ScheduleStep {...props} />}
        {step === 3 && (
          <ReviewStep
            draft={draft}
            set={set}
            campaign={saved?.campaign}
            estimate={saved?.key === key ? saved.estimate : undefined}
            preparing={busy}
            balance={balance.data?.balance}
          />
        )}
        <ErrorNote error={stepError} />
        <div className="actions">
          {step > 0 && (
            <button type="button" className="secondary" onClick={() => setStep(step - 1)} disabled={busy}>
              Back
            </button>
          )}
          {step < 3 && (
            <button type="button" onClick={next}>
              Next: {STEPS[step + 1]}
            </button>
          )}
          {step === 3 && (
            <>
              <button
                type="button"
                className="secondary"
                disabled={busy || !saved?.estimate}
                onClick={() => void navigate(`/campaigns/${saved!.campaign.id}`)}
              >
                Save as draft
              </button>
              <button
                type="button"
                disabled={busy || !saved?.estimate || (over && !draft.sendWhatBalanceCovers)}
                onClick={() => void start()}
              >
                {draft.when === 'later' ? 'Schedule campaign' : 'Start campaign'}
              </button>
            </>
          )}
        </div>
      </form>
    </section>
  );
}
