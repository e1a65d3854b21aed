/** The address book: contacts, groups, CSV import and export. */
export function Contacts() {
  return (
    <section>
      <h1>Contacts</h1>
      <p>Coming soon.</p>
    </section>
  );
}
