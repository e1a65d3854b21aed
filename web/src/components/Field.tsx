/** A labelled form control with its hint and its error (the API's words, next to the field). */
import { useId, type ReactNode } from 'react';

export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={props.error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <div id={hintId} className="hint">
          {props.hint}
        </div>
      )}
      {props.error && (
        <div id={errorId} className="error" role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}
