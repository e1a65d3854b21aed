/** Operators: the audit log of operator actions. */
export function AuditLog() {
  return (
    <section>
      <h1>Audit log</h1>
      <p>Coming soon.</p>
    </section>
  );
}
