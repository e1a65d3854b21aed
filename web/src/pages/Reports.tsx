/** Reports: charts per period, country and campaign, CSV download. */
export function Reports() {
  return (
    <section>
      <h1>Reports</h1>
      <p>Coming soon.</p>
    </section>
  );
}
