/** What every wizard step is given: the draft, a way to change it, and the error for a field. */
import { useEffect, useState } from 'react';
import type { Draft } from './draft';

export interface StepProps {
  draft: Draft;
  set: (change: Partial<Draft>) => void;
  /** The message of the API's (or the wizard's own) error for this field, if it names it. */
  errorOf: (field: string) => string | undefined;
}

/** `value`, once it stopped changing for `ms` (typing does not ask the API at every key). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
