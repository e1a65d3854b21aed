import { Link } from 'react-router';

export function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page here. <Link to="/dashboard">Go to the dashboard</Link>.
      </p>
    </section>
  );
}
