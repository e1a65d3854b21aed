/** A button for something that cannot be undone: a second, explicit click confirms it. */
import { useState } from 'react';

export function ConfirmButton(props: {
  /** The button's words, e.g. "Revoke". */
  label: string;
  /** The question asked, e.g. "Revoke the key “shop”? Programs using it stop working." */
  question: string;
  /** The confirming button's words, e.g. "Yes, revoke". */
  confirm: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="secondary" disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirm}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
