/** A labelled text input with its hint and error: the `Field` most forms need. */
import type { InputHTMLAttributes, ReactNode } from 'react';
import { Field } from './Field';

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'value' | 'onChange' | 'aria-describedby'
>;

export function TextField(
  props: InputProps & {
    label: string;
    value: string;
    onChange: (value: string) => void;
    error?: string | undefined;
    hint?: ReactNode;
  },
) {
  const { label, value, onChange, error, hint, ...input } = props;
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, d) => (
        <input
          {...input}
          id={id}
          aria-describedby={d}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
