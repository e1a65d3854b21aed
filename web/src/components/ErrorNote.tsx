/** An API error not tied to one field, said in words where the user acted. */
import { ApiError } from '../api/client';

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? error.message
      : error instanceof Error
        ? `Hermod could not be reached (${error.message}).`
        : String(error);
  return (
    <div className="note error" role="alert">
      {text}
    </div>
  );
}
