/** Campaigns: the list, the wizard, live progress and statistics. */
export function Campaigns() {
  return (
    <section>
      <h1>Campaigns</h1>
      <p>Coming soon.</p>
    </section>
  );
}
