/** One campaign: live progress, statistics, pause/resume/cancel, recipients export. */
export function CampaignPage() {
  return (
    <section>
      <h1>Campaign</h1>
      <p>Coming soon.</p>
    </section>
  );
}
