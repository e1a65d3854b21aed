/**
 * Step 2: the text, or a saved template (or the text saved as one); its characters,
 * alphabet and parts; and the message as the first three recipients will get it, their
 * placeholders ({{first_name}}, {{custom.slot}}…) filled in by Hermod.
 */
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useAudience, useCreateTemplate, useTemplates, type RecipientPreview } from '../../api/campaigns';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';
import { countSms } from '../../lib/sms';
import { audienceQuestion, hasAudience, messageOf } from './draft';
import { useDebounced, type StepProps } from './step';

const PLACEHOLDERS =
  '{{first_name}}, {{last_name}}, {{number}}, {{custom.<field>}}; a default after |: {{first_name|there}}';

function Preview({ r }: { r: RecipientPreview }) {
  const who = [r.first_name, r.last_name].filter(Boolean).join(' ') || r.number;
  return (
    <li className="card recipient-preview">
      <div>
        <strong>{who}</strong> <span className="hint">{r.number}</span>
      </div>
      {r.message ? (
        <>
          <p className="message-text">{r.message.text}</p>
          <div className="hint">
            {r.message.segments} {r.message.segments === 1 ? 'part' : 'parts'} · {r.message.encoding} ·{' '}
            {r.message.price}
          </div>
        </>
      ) : (
        <p className="error">Skipped: {r.skipped?.replace('missing_field:', 'no value for ')}</p>
      )}
    </li>
  );
}

export function MessageStep({ draft, set, errorOf }: StepProps) {
  const templates = useTemplates();
  const saveTemplate = useCreateTemplate();
  const [templateName, setTemplateName] = useState('');
  const chosen = templates.data?.data.find((t) => t.id === draft.templateId);
  const text = draft.source === 'template' ? (chosen?.text ?? '') : draft.text;
  const count = countSms(text);
  const question = useDebounced(audienceQuestion(draft, true));
  const ready = hasAudience(draft) && Object.keys(messageOf(draft)).length > 0;
  const preview = useAudience(question, ready);
  const previewError = preview.error instanceof ApiError ? preview.error : undefined;
  const nameError =
    saveTemplate.error instanceof ApiError && saveTemplate.error.field === 'name'
      ? saveTemplate.error.message
      : undefined;

  return (
    <>
      <fieldset className="field">
        <legend>Text or template</legend>
        <label className="check">
          <input
            type="radio"
            name="source"
            checked={draft.source === 'text'}
            onChange={() => set({ source: 'text' })}
          />
          Write the text
        </label>
        <label className="check">
          <input
            type="radio"
            name="source"
            checked={draft.source === 'template'}
            onChange={() => set({ source: 'template' })}
          />
          Use a saved template
        </label>
      </fieldset>
      {draft.source === 'template' ? (
        <Field label="Template" error={errorOf('template_id')}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={draft.templateId ?? ''}
              onChange={(e) => set({ templateId: e.target.value ? Number(e.target.value) : null })}
            >
              <option value="">Choose a template</option>
              {templates.data?.data.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <Field
          label="Text"
          hint={`Placeholders: ${PLACEHOLDERS}.`}
          error={
            errorOf('text') ??
            (previewError?.code === 'HERMOD_ERR_TEMPLATE' ? previewError.message : undefined)
          }
        >
          {(id, d) => (
            <textarea
              id={id}
              rows={5}
              aria-describedby={d}
              value={draft.text}
              onChange={(e) => set({ text: e.target.value })}
            />
          )}
        </Field>
      )}
      {draft.source === 'template' && chosen && <p className="message-text">{chosen.text}</p>}
      <p className="hint" aria-live="polite">
        {count.units} characters · {count.encoding} · {count.segments}{' '}
        {count.segments === 1 ? 'part' : 'parts'} before placeholders are filled (each recipient’s own count
        is in the preview)
      </p>
      {draft.source === 'text' && draft.text && (
        <div className="inline-save">
          <Field label="Template name" error={nameError}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                value={templateName}
                onChange={(e) => setTemplateName(e.target.value)}
              />
            )}
          </Field>
          <button
            type="button"
            className="secondary"
            disabled={!templateName.trim() || saveTemplate.isPending}
            onClick={() =>
              saveTemplate.mutate(
                { name: templateName.trim(), text: draft.text },
                { onSuccess: (t) => set({ source: 'template', templateId: t.id }) },
              )
            }
          >
            Save as template
          </button>
          {saveTemplate.error && !nameError ? <ErrorNote error={saveTemplate.error} /> : null}
        </div>
      )}
      <h2>What recipients will get</h2>
      {!ready && (
        <p className="hint">Choose the audience and write the message to see it as three recipients will.</p>
      )}
      {previewError && previewError.code !== 'HERMOD_ERR_TEMPLATE' && <ErrorNote error={previewError} />}
      {ready && preview.data && (
        <ul className="previews" aria-label="Message preview per recipient">
          {preview.data.samples.map((r) => (
            <Preview key={r.number} r={r} />
          ))}
        </ul>
      )}
    </>
  );
}
