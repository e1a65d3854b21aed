/** The console's pages by path; everything but the sign-in page needs a session. */
import type { ReactElement } from 'react';
import { createBrowserRouter } from 'react-router';
import { Home, Layout } from './Layout';
import { SignIn } from '../pages/SignIn';
import { Dashboard } from '../pages/Dashboard';
import { Send } from '../pages/Send';
import { Messages } from '../pages/Messages';
import { MessagePage } from '../pages/MessagePage';
import { Account } from '../pages/Account';
import { NotFound } from '../pages/NotFound';
import { Overview } from '../pages/Overview';
import { Connectors } from '../pages/Connectors';
import { Customers } from '../pages/Customers';
import { Contacts } from '../pages/Contacts';
import { ContactImport } from '../pages/ContactImport';
import { Campaigns } from '../pages/Campaigns';
import { CampaignPage } from '../pages/CampaignPage';
import { CampaignWizard } from '../pages/CampaignWizard';
import { Inbox } from '../pages/Inbox';
import { Reports } from '../pages/Reports';
import { RoutesPage } from '../pages/RoutesPage';
import { OptOuts } from '../pages/OptOuts';
import { WebhookLog } from '../pages/WebhookLog';
import { AuditLog } from '../pages/AuditLog';
import { OperatorOnly } from '../components/OperatorOnly';
import { CustomerPage } from '../pages/CustomerPage';

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
