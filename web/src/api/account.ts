/**
 * The account's own settings (REST v1): the ledger and rate card, API keys, the webhook,
 * SMPP, the team (members), and the signed-in user's two-factor sign-in; and what the
 * sign-in page may know before a session (demo mode).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, post, setCsrf } from './client';
import type { Session } from './session';

export interface LedgerEntry {
  id: number;
  at: string;
  kind: string;
  amount: string;
  balance: string;
  note: string | null;
  message_id: string | null;
  campaign: string | null;
  reason: string | null;
}

export function useLedger(before: number | undefined) {
  return useQuery({
    queryKey: ['ledger', before],
    queryFn: () =>
      get<{ entries: LedgerEntry[]; next: number | null }>(
        `/v1/ledger?limit=20${before !== undefined ? `&before=${before}` : ''}`,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
}

export function useRateCard() {
  return useQuery({
    queryKey: ['rate-card'],
    queryFn: () =>
      get<{ rates: { country: string; sms: string; mms: string | null; inbound: string | null }[] }>(
        '/v1/rate-card',
      ),
  });
}

export interface ApiKey {
  id: number;
  label: string | null;
  created_at: string;
}

export function useApiKeys() {
  return useQuery({ queryKey: ['api-keys'], queryFn: () => get<{ data: ApiKey[] }>('/v1/api-keys') });
}

export function useCreateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (label: string) => post<ApiKey & { key: string }>('/v1/api-keys', label ? { label } : {}),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useRevokeApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>('DELETE', `/v1/api-keys/${id}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export interface Webhook {
  url: string | null;
  has_secret: boolean;
  secret_hint: string | null;
  updated_at: string | null;
}

export function useWebhook() {
  return useQuery({ queryKey: ['webhook'], queryFn: () => get<Webhook>('/v1/webhook') });
}

export function useSetWebhookUrl() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (url: string) => api<Webhook>('PUT', '/v1/webhook', { url: url.trim() || null }),
    onSuccess: (w) => qc.setQueryData(['webhook'], w),
  });
}

export function useRotateSecret() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => post<Webhook & { secret: string }>('/v1/webhook/secret'),
    onSuccess: ({ secret: _, ...w }) => qc.setQueryData(['webhook'], w),
  });
}

export interface Smpp {
  system_id: string;
  host: string | null;
  port: number | null;
  tls_port: number | null;
  password_set: boolean;
}

export function useSmpp() {
  return useQuery({ queryKey: ['smpp'], queryFn: () => get<Smpp>('/v1/smpp') });
}

export function useSetSmppPassword() {
  return useMutation({
    mutationFn: (password: string) => api<void>('PUT', '/v1/smpp/password', { password }),
  });
}

export type Role = 'owner' | 'admin' | 'sender' | 'viewer';

export interface Member {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  enabled: boolean;
  has_password: boolean;
  last_sign_in_at: string | null;
}

export function useMembers() {
  return useQuery({
    queryKey: ['members'],
    queryFn: () => get<{ data: Member[] }>('/v1/members?limit=500'),
  });
}

export interface Invitation {
  user: Member;
  setup_token?: string;
}

export function useInvite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (m: { email: string; role: Role }) => post<Invitation>('/v1/members', m),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['members'] }),
  });
}

export function useChangeMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (m: { id: number; role?: Role; enabled?: boolean }) =>
      api<Member>('PATCH', `/v1/members/${m.id}`, {
        ...(m.role ? { role: m.role } : {}),
        ...(m.enabled !== undefined ? { enabled: m.enabled } : {}),
      }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['members'] }),
  });
}

export function useRemoveMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>('DELETE', `/v1/members/${id}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['members'] }),
  });
}

export function useResetMember() {
  return useMutation({
    mutationFn: (id: number) =>
      post<{ setup_token: string; setup_expires_at: string }>(`/v1/members/${id}/reset`),
  });
}

export function useTotp() {
  return useQuery({ queryKey: ['totp'], queryFn: () => get<{ enabled: boolean }>('/v1/session/totp') });
}

export interface TotpSetup {
  secret: string;
  uri: string;
  qr_svg: string;
}

export function useTotpSetup() {
  return useMutation({ mutationFn: () => post<TotpSetup>('/v1/session/totp') });
}

export function useTotpConfirm(action: 'confirm' | 'disable') {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => post<void>(`/v1/session/totp/${action}`, { code: code.trim() }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['totp'] }),
  });
}

/** Whether this Hermod is the demo (the sign-in page then says the demo's sign-ins). */
export function useSignInHints() {
  return useQuery({
    queryKey: ['sign-in-hints'],
    queryFn: () => get<{ demo: boolean }>('/v1/sign-in'),
    staleTime: Infinity,
  });
}

/** Sign-in with an optional second-factor code (401 HERMOD_ERR_CODE_REQUIRED asks for one). */
export function useSignInWithCode() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (c: { username: string; password: string; code?: string }) =>
      api<Session>('POST', '/v1/session', {
        email: c.username,
        password: c.password,
        ...(c.code ? { code: c.code.trim() } : {}),
      }),
    onSuccess: (s) => {
      setCsrf(s.csrf);
      qc.clear();
      qc.setQueryData(['session'], s);
    },
  });
}
