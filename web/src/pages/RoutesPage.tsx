/** Operators: the ordered MT and MO routes, and Test a number. */
export function RoutesPage() {
  return (
    <section>
      <h1>Routes</h1>
      <p>Coming soon.</p>
    </section>
  );
}
