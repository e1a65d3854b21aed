/** The frame of every signed-in page: the navigation, who is signed in, sign out. */
import { Suspense, useState } from 'react';
import { Link, Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useSession, useSignOut } from '../api/session';
import { LowBalanceBanner } from '../components/LowBalanceBanner';

const CUSTOMER_LINKS = [
  ['/dashboard', 'Dashboard'],
  ['/send', 'Send'],
  ['/contacts', 'Contacts'],
  ['/campaigns', 'Campaigns'],
  ['/messages', 'Messages'],
  ['/inbox', 'Inbox'],
  ['/reports', 'Reports'],
  ['/account', 'Account'],
] as const;

const OPERATOR_LINKS = [
  ['/overview', 'Overview'],
  ['/customers', 'Customers'],
  ['/connectors', 'Connectors'],
  ['/routes', 'Routes'],
  ['/opt-outs', 'Opt-outs'],
  ['/webhook-log', 'Webhooks'],
  ['/audit', 'Audit log'],
  ['/account', 'Account'],
] as const;

/** The first page after sign-in: a customer's dashboard, an operator's overview. */
export function Home() {
  const session = useSession();
  return <Navigate to={session.data?.user.kind === 'operator' ? '/overview' : '/dashboard'} replace />;
}

export function Layout() {
  const session = useSession();
  const signOut = useSignOut();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  if (session.isPending) return <p className="loading">Loading…</p>;
  if (session.isError) return <p role="alert">Hermod cannot be reached: {session.error.message}</p>;
  if (!session.data) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  const s = session.data;
  return (
    <div className="shell">
      <header className="topbar">
        <Link className="brand" to="/">
          Hermod
        </Link>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <nav id="main-nav" aria-label="Main" className={menuOpen ? 'open' : undefined}>
          {(s.user.kind === 'operator' ? OPERATOR_LINKS : CUSTOMER_LINKS).map(([to, label]) => (
            <NavLink key={to} to={to} onClick={() => setMenuOpen(false)}>
              {label}
            </NavLink>
          ))}
        </nav>
        <div className="who">
          <span title={s.user.email}>{s.account?.username ?? 'operator'}</span>
          <button type="button" className="secondary" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        </div>
      </header>
      <LowBalanceBanner />
      <main>
        {/* Each page's code loads on first use (app/routes.tsx). */}
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
