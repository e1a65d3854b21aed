/** Operators: the opt-out list. */
export function OptOuts() {
  return (
    <section>
      <h1>Opt-outs</h1>
      <p>Coming soon.</p>
    </section>
  );
}
