/** The console's pages by path; everything but the sign-in page needs a session. */
import { createBrowserRouter, Navigate } from 'react-router';
import { Layout } from './Layout';
import { SignIn } from '../pages/SignIn';
import { Dashboard } from '../pages/Dashboard';
import { Send } from '../pages/Send';
import { Messages } from '../pages/Messages';
import { MessagePage } from '../pages/MessagePage';
import { Account } from '../pages/Account';
import { NotFound } from '../pages/NotFound';

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignIn /> },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/dashboard" replace /> },
      { path: 'dashboard', element: <Dashboard /> },
      { path: 'send', element: <Send /> },
      { path: 'messages', element: <Messages /> },
      { path: 'messages/:id', element: <MessagePage /> },
      { path: 'account', element: <Account /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
