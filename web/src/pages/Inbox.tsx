/** The inbox: conversations per contact, unread marks, replies, keyword services. */
export function Inbox() {
  return (
    <section>
      <h1>Inbox</h1>
      <p>Coming soon.</p>
    </section>
  );
}
