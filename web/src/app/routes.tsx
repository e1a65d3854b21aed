/** The console's pages by path; everything but the sign-in page needs a session. */
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
import { OperatorOnly } from '../components/OperatorOnly';

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
      {
        path: 'overview',
        element: (
          <OperatorOnly>
            <Overview />
          </OperatorOnly>
        ),
      },
      {
        path: 'customers',
        element: (
          <OperatorOnly>
            <Customers />
          </OperatorOnly>
        ),
      },
      {
        path: 'connectors',
        element: (
          <OperatorOnly>
            <Connectors />
          </OperatorOnly>
        ),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
