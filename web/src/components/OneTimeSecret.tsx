/** A secret shown once (an API key, a signing secret, an invitation token), with a Copy button. */
import { useState } from 'react';

export function OneTimeSecret(props: { label: string; value: string; note?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(props.value).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div className="note good one-time" role="status">
      <div>
        {props.label} <span className="hint">{props.note ?? 'Copy it now: it is not shown again.'}</span>
      </div>
      <code aria-label={props.label}>{props.value}</code>
      <button type="button" className="secondary" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
