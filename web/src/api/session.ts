/** Who is signed in: GET/POST/DELETE /v1/session, cached as the `session` query (snake_case, like all of REST v1). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, setCsrf } from './client';

export interface Session {
  user: {
    id: number;
    email: string;
    display_name: string | null;
    kind: 'member' | 'operator';
    account_id: number | null;
    role: 'owner' | 'admin' | 'sender' | 'viewer' | null;
    enabled: boolean;
    must_change_password: boolean;
    has_password: boolean;
    created_at: string;
    updated_at: string;
    last_sign_in_at: string | null;
  };
  account: { id: number; username: string } | null;
  csrf: string;
  expires_at: string;
}

/** The session, or null when nobody is signed in (a 401 is an answer here, not an error). */
async function readSession(): Promise<Session | null> {
  try {
    const s = await api<Session>('GET', '/v1/session');
    setCsrf(s.csrf);
    return s;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrf(undefined);
      return null;
    }
    throw err;
  }
}

export function useSession() {
  return useQuery({ queryKey: ['session'], queryFn: readSession, staleTime: 60_000 });
}

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (c: { username: string; password: string }) =>
      api<Session>('POST', '/v1/session', { email: c.username, password: c.password }),
    onSuccess: (s) => {
      setCsrf(s.csrf);
      qc.clear();
      qc.setQueryData(['session'], s);
    },
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('DELETE', '/v1/session'),
    onSettled: () => {
      setCsrf(undefined);
      qc.clear();
      qc.setQueryData(['session'], null);
    },
  });
}
