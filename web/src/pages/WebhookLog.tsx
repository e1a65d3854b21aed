/** Operators: the webhook delivery log. */
export function WebhookLog() {
  return (
    <section>
      <h1>Webhook deliveries</h1>
      <p>Coming soon.</p>
    </section>
  );
}
