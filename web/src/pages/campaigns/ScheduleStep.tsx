/** Step 3: now or at a time in a time zone (repeated every day or week), quiet hours, a rate cap. */
import { Field } from '../../components/Field';
import type { StepProps } from './step';

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

export function ScheduleStep({ draft, set, errorOf }: StepProps) {
  return (
    <>
      <fieldset className="field">
        <legend>When</legend>
        <label className="check">
          <input
            type="radio"
            name="when"
            checked={draft.when === 'now'}
            onChange={() => set({ when: 'now' })}
          />
          As soon as I start it
        </label>
        <label className="check">
          <input
            type="radio"
            name="when"
            checked={draft.when === 'later'}
            onChange={() => set({ when: 'later' })}
          />
          At a time
        </label>
      </fieldset>
      {draft.when === 'later' && (
        <>
          <Field label="Send at" error={errorOf('schedule_at')}>
            {(id, d) => (
              <input
                id={id}
                type="datetime-local"
                aria-describedby={d}
                value={draft.scheduleAt}
                onChange={(e) => set({ scheduleAt: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="Time zone"
            hint="The time above is in this zone, e.g. Europe/London."
            error={errorOf('time_zone')}
          >
            {(id, d) => (
              <>
                <input
                  id={id}
                  list={`${id}-zones`}
                  aria-describedby={d}
                  value={draft.timeZone}
                  onChange={(e) => set({ timeZone: e.target.value })}
                />
                <datalist id={`${id}-zones`}>
                  {ZONES.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field
            label="Repeat"
            hint="Each time is a campaign of its own, sent at the same local time."
            error={errorOf('repeat.every')}
          >
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={draft.repeat}
                onChange={(e) => set({ repeat: e.target.value as '' | 'day' | 'week' })}
              >
                <option value="">Once</option>
                <option value="day">Every day</option>
                <option value="week">Every week</option>
              </select>
            )}
          </Field>
          {draft.repeat && (
            <Field
              label="Times in all"
              hint="Leave empty to repeat until you cancel it."
              error={errorOf('repeat.times')}
            >
              {(id, d) => (
                <input
                  id={id}
                  type="number"
                  min={2}
                  aria-describedby={d}
                  value={draft.repeatTimes}
                  onChange={(e) => set({ repeatTimes: e.target.value })}
                />
              )}
            </Field>
          )}
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={draft.quiet} onChange={(e) => set({ quiet: e.target.checked })} />
        Keep quiet hours (in each recipient’s own time zone)
      </label>
      {draft.quiet && (
        <div className="inline-fields">
          <Field label="Quiet from" error={errorOf('quiet_hours.from')}>
            {(id, d) => (
              <input
                id={id}
                type="time"
                aria-describedby={d}
                value={draft.quietFrom}
                onChange={(e) => set({ quietFrom: e.target.value })}
              />
            )}
          </Field>
          <Field label="Quiet until" error={errorOf('quiet_hours.to')}>
            {(id, d) => (
              <input
                id={id}
                type="time"
                aria-describedby={d}
                value={draft.quietTo}
                onChange={(e) => set({ quietTo: e.target.value })}
              />
            )}
          </Field>
        </div>
      )}
      <Field
        label="Rate cap (messages per second)"
        hint="Leave empty to send as fast as the gateway takes them."
        error={errorOf('rate_per_second')}
      >
        {(id, d) => (
          <input
            id={id}
            type="number"
            min={0}
            step="any"
            aria-describedby={d}
            value={draft.rate}
            onChange={(e) => set({ rate: e.target.value })}
          />
        )}
      </Field>
    </>
  );
}
