/**
 * The base of every error Hermod throws: a stable machine-readable `code`
 * (`HERMOD_ERR_*`), a human message, and an optional `cause`.
 * Layers extend it to attach what their callers need (an SMPP command_status,
 * an HTTP status, a retriable flag).
 */
export class HermodError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `err` is a HermodError with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof HermodError && err.code === code;
}
