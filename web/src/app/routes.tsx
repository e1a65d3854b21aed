/** The console's pages by path; everything but the sign-in page needs a session. */
import { lazy, type ComponentType, type ReactElement } from 'react';
import { createBrowserRouter } from 'react-router';
import { Home, Layout } from './Layout';
import { SignIn } from '../pages/SignIn';
import { OperatorOnly } from '../components/OperatorOnly';

/**
 * A page whose code loads when it is first shown (React.lazy), so the first load carries only
 * the shell and the sign-in page; the layout shows a fallback meanwhile.
 */
const lazyPage = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })));

const Dashboard = lazyPage(() => import('../pages/Dashboard'), 'Dashboard');
const Send = lazyPage(() => import('../pages/Send'), 'Send');
const Messages = lazyPage(() => import('../pages/Messages'), 'Messages');
const MessagePage = lazyPage(() => import('../pages/MessagePage'), 'MessagePage');
const Account = lazyPage(() => import('../pages/Account'), 'Account');
const NotFound = lazyPage(() => import('../pages/NotFound'), 'NotFound');
const Overview = lazyPage(() => import('../pages/Overview'), 'Overview');
const Connectors = lazyPage(() => import('../pages/Connectors'), 'Connectors');
const Customers = lazyPage(() => import('../pages/Customers'), 'Customers');
const Contacts = lazyPage(() => import('../pages/Contacts'), 'Contacts');
const ContactImport = lazyPage(() => import('../pages/ContactImport'), 'ContactImport');
const Campaigns = lazyPage(() => import('../pages/Campaigns'), 'Campaigns');
const CampaignPage = lazyPage(() => import('../pages/CampaignPage'), 'CampaignPage');
const CampaignWizard = lazyPage(() => import('../pages/CampaignWizard'), 'CampaignWizard');
const Inbox = lazyPage(() => import('../pages/Inbox'), 'Inbox');
const Reports = lazyPage(() => import('../pages/Reports'), 'Reports');
const RoutesPage = lazyPage(() => import('../pages/RoutesPage'), 'RoutesPage');
const OptOuts = lazyPage(() => import('../pages/OptOuts'), 'OptOuts');
const WebhookLog = lazyPage(() => import('../pages/WebhookLog'), 'WebhookLog');
const AuditLog = lazyPage(() => import('../pages/AuditLog'), 'AuditLog');
const CustomerPage = lazyPage(() => import('../pages/CustomerPage'), 'CustomerPage');

/** An operator page: a customer who opens it by URL is told it is for operators. */
const operator = (path: string, page: ReactElement) => ({
  path,
  element: <OperatorOnly>{page}</OperatorOnly>,
});

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignIn /> },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Home /> },
      { path: 'dashboard', element: <Dashboard /> },
      { path: 'send', element: <Send /> },
      { path: 'messages', element: <Messages /> },
      { path: 'messages/:id', element: <MessagePage /> },
      { path: 'account', element: <Account /> },
      { path: 'contacts', element: <Contacts /> },
      { path: 'contacts/import', element: <ContactImport /> },
      { path: 'campaigns', element: <Campaigns /> },
      { path: 'campaigns/:id', element: <CampaignPage /> },
      { path: 'inbox', element: <Inbox /> },
      { path: 'reports', element: <Reports /> },
      operator('overview', <Overview />),
      operator('customers', <Customers />),
      operator('connectors', <Connectors />),
      operator('routes', <RoutesPage />),
      operator('opt-outs', <OptOuts />),
      operator('webhook-log', <WebhookLog />),
      operator('audit', <AuditLog />),
      { path: 'campaigns/new', element: <CampaignWizard /> },
      operator('customers/:username', <CustomerPage />),
      { path: '*', element: <NotFound /> },
    ],
  },
]);
