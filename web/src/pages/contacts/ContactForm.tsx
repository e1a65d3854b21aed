/** Add or edit a contact: number, names, custom fields (one "key: value" a line), notes. */
import { useForm } from 'react-hook-form';
import { ApiError } from '../../api/client';
import { useSaveContact, type Contact } from '../../api/contacts';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';

interface Form {
  number: string;
  first_name: string;
  last_name: string;
  fields: string;
  notes: string;
}

const fieldsText = (f: Record<string, string>) =>
  Object.entries(f)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');

/** "key: value" lines; a line without a colon is a mistake the user is told about. */
function fieldsOf(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf(':');
    if (at <= 0) return `"${line.trim()}" is not "key: value".`;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function ContactForm({ contact, onDone }: { contact?: Contact; onDone: () => void }) {
  const save = useSaveContact();
  const { register, handleSubmit, formState } = useForm<Form>({
    defaultValues: {
      number: contact?.number ?? '',
      first_name: contact?.first_name ?? '',
      last_name: contact?.last_name ?? '',
      fields: fieldsText(contact?.fields ?? {}),
      notes: contact?.notes ?? '',
    },
  });
  const apiField = save.error instanceof ApiError ? save.error.field?.split('.')[0] : undefined;
  const errorOf = (name: keyof Form) =>
    formState.errors[name]?.message ?? (apiField === name ? save.error!.message : undefined);
  const onSubmit = (f: Form) => {
    const fields: Record<string, string | null> = fieldsOf(f.fields) as Record<string, string>;
    // Keys taken out of the list are removed from the contact.
    for (const k of Object.keys(contact?.fields ?? {})) if (!(k in fields)) fields[k] = null;
    const text = (v: string) => (v.trim() === '' ? null : v.trim());
    save.mutate(
      {
        ...(contact ? { id: contact.id } : {}),
        input: {
          number: f.number.trim(),
          first_name: text(f.first_name),
          last_name: text(f.last_name),
          fields,
          notes: text(f.notes),
        },
      },
      { onSuccess: onDone },
    );
  };
  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="narrow contact-form">
      <h2>{contact ? `Edit ${contact.number}` : 'Add a contact'}</h2>
      <Field
        label="Number"
        hint="International (+447700900123), or national in your default country."
        error={errorOf('number')}
      >
        {(id, d) => (
          <input id={id} aria-describedby={d} {...register('number', { required: 'Enter the number.' })} />
        )}
      </Field>
      <Field label="First name" error={errorOf('first_name')}>
        {(id, d) => <input id={id} aria-describedby={d} maxLength={100} {...register('first_name')} />}
      </Field>
      <Field label="Last name" error={errorOf('last_name')}>
        {(id, d) => <input id={id} aria-describedby={d} maxLength={100} {...register('last_name')} />}
      </Field>
      <Field
        label="Custom fields"
        hint={'One per line, "key: value" — {{custom.key}} in templates.'}
        error={errorOf('fields')}
      >
        {(id, d) => (
          <textarea
            id={id}
            rows={3}
            aria-describedby={d}
            {...register('fields', {
              validate: (v) => typeof fieldsOf(v) === 'object' || (fieldsOf(v) as string),
            })}
          />
        )}
      </Field>
      <Field label="Notes" error={errorOf('notes')}>
        {(id, d) => <textarea id={id} rows={2} aria-describedby={d} {...register('notes')} />}
      </Field>
      <ErrorNote error={save.error && !apiField ? save.error : undefined} />
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          {contact ? 'Save contact' : 'Add contact'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
