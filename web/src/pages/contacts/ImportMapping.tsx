/**
 * Step 2 of an import: what each column of the file becomes (number, first or last name,
 * notes, a custom field by name, or nothing), guessed by Hermod from the header; and the
 * mapping as the import's `map` option, by position.
 */
import type { ImportPreview, Role } from '../../api/contacts';
import { Field } from '../../components/Field';

export interface ColumnChoice {
  role: Role | 'ignore';
  /** The custom field's key, for role field. */
  field: string;
}

export const choicesOf = (p: ImportPreview): ColumnChoice[] =>
  p.columns.map((c) => ({ role: c.role ?? 'ignore', field: c.field ?? '' }));

const ROLES: [ColumnChoice['role'], string][] = [
  ['number', 'Number'],
  ['first_name', 'First name'],
  ['last_name', 'Last name'],
  ['notes', 'Notes'],
  ['field', 'Custom field'],
  ['ignore', 'Ignore'],
];

/** Why the choices cannot be imported, by column index; empty when they can. */
export function problemsOf(choices: ColumnChoice[]): Map<number, string> {
  const out = new Map<number, string>();
  const seen = new Map<string, number>();
  choices.forEach((c, i) => {
    if (c.role === 'field' && !/^[A-Za-z0-9_]{1,64}$/.test(c.field))
      out.set(i, 'A field name is 1 to 64 letters, digits or _.');
    const key = c.role === 'field' ? `field.${c.field}` : c.role;
    if (c.role !== 'ignore' && seen.has(key))
      out.set(
        i,
        `Column ${seen.get(key)! + 1} is already ${ROLES.find(([r]) => r === c.role)![1].toLowerCase()}${c.role === 'field' ? ` ${c.field}` : ''}.`,
      );
    seen.set(key, i);
  });
  if (!choices.some((c) => c.role === 'number'))
    out.set(0, out.get(0) ?? 'Choose the column that holds the number.');
  return out;
}

/** As the import's map option: every role said, so nothing is guessed behind the user's back. */
export function mapOf(choices: ColumnChoice[]): string {
  const at = (role: Role) => {
    const i = choices.findIndex((c) => c.role === role);
    return i < 0 ? '-' : String(i + 1);
  };
  const fields = choices.flatMap((c, i) => (c.role === 'field' ? [`field.${c.field}=${i + 1}`] : []));
  return [
    `number=${at('number')}`,
    `first_name=${at('first_name')}`,
    `last_name=${at('last_name')}`,
    `notes=${at('notes')}`,
    ...(fields.length > 0 ? fields : ['fields=-']),
  ].join(',');
}

export function ImportMapping(props: {
  guess: ImportPreview;
  choices: ColumnChoice[];
  onChange: (choices: ColumnChoice[]) => void;
}) {
  const problems = problemsOf(props.choices);
  const sample = props.guess.rows[0]?.cells ?? [];
  const set = (i: number, c: Partial<ColumnChoice>) =>
    props.onChange(props.choices.map((old, j) => (j === i ? { ...old, ...c } : old)));
  return (
    <div className="mapping">
      {props.guess.columns.map((col, i) => {
        const name = col.name ? `“${col.name}”` : `column ${col.position}`;
        const choice = props.choices[i];
        return (
          <div key={col.position} className="mapping-column">
            <Field
              label={`Column ${col.position}${col.name ? ` (${col.name})` : ''}`}
              hint={sample[i] ? `e.g. ${sample[i]}` : undefined}
              error={choice.role === 'field' ? undefined : problems.get(i)}
            >
              {(id, d) => (
                <select
                  id={id}
                  aria-describedby={d}
                  value={choice.role}
                  onChange={(e) => {
                    const role = e.target.value as ColumnChoice['role'];
                    set(i, {
                      role,
                      field:
                        choice.field ||
                        (col.name ?? '')
                          .toLowerCase()
                          .replace(/[^a-z0-9]+/g, '_')
                          .replace(/^_+|_+$/g, ''),
                    });
                  }}
                >
                  {ROLES.map(([r, label]) => (
                    <option key={r} value={r}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {choice.role === 'field' && (
              <Field label={`Field name for ${name}`} error={problems.get(i)}>
                {(id, d) => (
                  <input
                    id={id}
                    aria-describedby={d}
                    value={choice.field}
                    onChange={(e) => set(i, { field: e.target.value })}
                  />
                )}
              </Field>
            )}
          </div>
        );
      })}
    </div>
  );
}
