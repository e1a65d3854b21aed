/**
 * Step 1: the campaign's name and sender, the groups to send to and to leave out, numbers
 * pasted; how many recipients that makes and how many opted out of the sender are skipped.
 */
import { useAudience, useGroups, type ContactGroup } from '../../api/campaigns';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';
import { audienceQuestion, hasAudience, numbersOf } from './draft';
import { useDebounced, type StepProps } from './step';

function GroupChoice(props: {
  legend: string;
  groups: ContactGroup[];
  chosen: number[];
  onChange: (ids: number[]) => void;
  error: string | undefined;
}) {
  return (
    <fieldset className={props.error ? 'field invalid' : 'field'}>
      <legend>{props.legend}</legend>
      {props.groups.length === 0 && (
        <p className="hint">No contact groups yet (make them on the Contacts page).</p>
      )}
      {props.groups.map((g) => (
        <label key={g.id} className="check">
          <input
            type="checkbox"
            checked={props.chosen.includes(g.id)}
            onChange={(e) =>
              props.onChange(
                e.target.checked ? [...props.chosen, g.id] : props.chosen.filter((x) => x !== g.id),
              )
            }
          />
          {g.name} ({g.members} {g.members === 1 ? 'contact' : 'contacts'})
        </label>
      ))}
      {props.error && (
        <div className="error" role="alert">
          {props.error}
        </div>
      )}
    </fieldset>
  );
}

export function AudienceStep({ draft, set, errorOf }: StepProps) {
  const groups = useGroups();
  const question = useDebounced(audienceQuestion(draft, false));
  const count = useAudience(question, hasAudience(draft) && draft.from.trim() !== '');
  const a = count.data;
  return (
    <>
      <Field label="Campaign name" error={errorOf('name')}>
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            maxLength={100}
            value={draft.name}
            onChange={(e) => set({ name: e.target.value })}
          />
        )}
      </Field>
      <Field
        label="From"
        hint="The sender the handset shows: a number, or up to 11 letters and digits. People opt out of a sender, so the opted-out count below is for this one."
        error={errorOf('from')}
      >
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            maxLength={20}
            value={draft.from}
            onChange={(e) => set({ from: e.target.value })}
          />
        )}
      </Field>
      <ErrorNote error={groups.error} />
      <GroupChoice
        legend="Send to these groups"
        groups={groups.data?.data ?? []}
        chosen={draft.groups}
        onChange={(ids) => set({ groups: ids })}
        error={errorOf('audience.groups')}
      />
      <GroupChoice
        legend="Leave out members of"
        groups={groups.data?.data ?? []}
        chosen={draft.excludeGroups}
        onChange={(ids) => set({ excludeGroups: ids })}
        error={errorOf('audience.exclude_groups')}
      />
      <Field
        label="Other numbers"
        hint="Numbers not in your contacts, in international format, one per line."
        error={errorOf('audience.numbers') ?? errorOf('audience')}
      >
        {(id, d) => (
          <textarea
            id={id}
            rows={3}
            aria-describedby={d}
            value={draft.numbers}
            onChange={(e) => set({ numbers: e.target.value })}
          />
        )}
      </Field>
      <div className="note" role="status" aria-live="polite">
        {!hasAudience(draft)
          ? 'Choose a group or paste numbers.'
          : !draft.from.trim()
            ? 'Enter the sender to count who opted out of it.'
            : a
              ? `${a.recipients - a.opted_out} recipients will get the message; ${a.opted_out} opted out of ${question.from} and will be skipped${a.duplicates ? `; ${a.duplicates} numbers given twice are sent once` : ''}.`
              : 'Counting…'}
        {numbersOf(draft.numbers).length > 0 && ` (${numbersOf(draft.numbers).length} numbers pasted.)`}
      </div>
      {count.error && !errorOf('audience') && <ErrorNote error={count.error} />}
    </>
  );
}
