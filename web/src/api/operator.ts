/**
 * The operators' pages beyond admin.ts: routes (MT and MO, ordered, saved whole), "Test a
 * number", connector definitions, customers' changes, opt-outs, callbacks, the audit log.
 * All on the admin API (/v1/admin, camelCase); live views poll.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, post } from './client';
import type { Customer } from './admin';

const enc = encodeURIComponent;

/** A route as `routes:` in hermod.yaml and PUT /routes take it. */
export type RouteDefinition = {
  name: string;
  type?: string;
  connectors: string[];
  prefixes?: string[];
  rate?: number;
} & Record<string, unknown>;

export interface MtRoute {
  position: number;
  name: string;
  type: string;
  prefixes: string[];
  connectors: string[];
  rate: string | null;
  filters: Record<string, unknown>;
  definition: RouteDefinition | null;
}

export type MoRoute = {
  position: number;
  name?: string;
  prefixes?: string[];
  user?: string;
  url?: string;
} & Record<string, unknown>;

export function useMtRoutes() {
  return useQuery({
    queryKey: ['admin', 'routes'],
    queryFn: () => get<{ routes: MtRoute[]; source: string | null }>('/v1/admin/routes'),
  });
}

export function useMoRoutes() {
  return useQuery({
    queryKey: ['admin', 'mo-routes'],
    queryFn: () => get<{ moRoutes: MoRoute[]; source: string | null }>('/v1/admin/mo-routes'),
  });
}

/** Saves the whole ordered MT list (the admin API replaces it at once). */
export function useSaveMtRoutes() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (routes: RouteDefinition[]) =>
      api<{ routes: MtRoute[] }>('PUT', '/v1/admin/routes', { routes }),
    onSuccess: (data) => qc.setQueryData(['admin', 'routes'], data),
  });
}

export function useSaveMoRoutes() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (moRoutes: Record<string, unknown>[]) =>
      api<{ moRoutes: MoRoute[] }>('PUT', '/v1/admin/mo-routes', { moRoutes }),
    onSuccess: (data) => qc.setQueryData(['admin', 'mo-routes'], data),
  });
}

export interface RouteTest {
  to: string;
  routable: boolean;
  reason: string | null;
  route: { position: number; name: string; type: string } | null;
  connectors: { id: string; ready: boolean }[];
  price: string | null;
  priceSource: string | null;
}

export function useRouteTest() {
  return useMutation({
    mutationFn: (q: { to: string; user?: string; from?: string }) => {
      const qs = new URLSearchParams({ to: q.to });
      if (q.user) qs.set('user', q.user);
      if (q.from) qs.set('from', q.from);
      return get<RouteTest>(`/v1/admin/routes/test?${qs}`);
    },
  });
}

/** Create or replace a connector: the body is checked by the configuration's own checker. */
export function usePutConnector() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (a: { id: string; definition: Record<string, unknown> }) =>
      api<unknown>('PUT', `/v1/admin/connectors/${enc(a.id)}`, a.definition),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'connectors'] }),
  });
}

export function useCreateCustomer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { username: string; password: string; balance?: string; rate?: string }) =>
      post<Customer>('/v1/admin/users', b),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
}

export function usePatchCustomer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (a: { username: string; patch: Record<string, unknown> }) =>
      api<Customer>('PATCH', `/v1/admin/users/${enc(a.username)}`, a.patch),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
}

export function useUnbind() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (username: string) => post<{ unbound: number }>(`/v1/admin/users/${enc(username)}/unbind`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'binds'] }),
  });
}

export interface WebUser {
  id: number;
  email: string;
  displayName: string;
  role: string | null;
  enabled: boolean;
  lastSignInAt: string | null;
}

export function useAccountWebUsers(account: string) {
  return useQuery({
    queryKey: ['admin', 'web-users', account],
    queryFn: () => get<{ webUsers: WebUser[] }>(`/v1/admin/web-users?account=${enc(account)}`),
  });
}

export function useRateCard(username: string) {
  return useQuery({
    queryKey: ['admin', 'rate-card', username],
    queryFn: () => get<{ rates?: Record<string, unknown>[] }>(`/v1/admin/users/${enc(username)}/rate-card`),
  });
}

export interface OptOut {
  msisdn: string;
  sender: string;
  at: string;
}

export function useOptOuts(msisdn: string) {
  return useQuery({
    queryKey: ['admin', 'optouts', msisdn],
    queryFn: () => get<{ optouts: OptOut[] }>(`/v1/admin/optouts${msisdn ? `?msisdn=${enc(msisdn)}` : ''}`),
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function useAddOptOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { msisdn: string; sender: string }) => post<OptOut>('/v1/admin/optouts', b),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'optouts'] }),
  });
}

export function useRemoveOptOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (o: { msisdn: string; sender: string }) =>
      api<void>('DELETE', `/v1/admin/optouts/${enc(o.msisdn)}?sender=${enc(o.sender)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'optouts'] }),
  });
}

export interface WebhookAttempt {
  id: number;
  eventId: string;
  messageId: string;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  durationMs: number;
  at: string;
}

export interface PendingCallback {
  id: number;
  kind: string;
  messageId: string;
  url: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
}

export function useWebhookLog() {
  return useQuery({
    queryKey: ['admin', 'webhooks', 'log'],
    queryFn: () => get<{ attempts: WebhookAttempt[] }>('/v1/admin/webhooks/log?limit=100'),
    refetchInterval: 5_000,
  });
}

export function usePendingCallbacks() {
  return useQuery({
    queryKey: ['admin', 'webhooks', 'pending'],
    queryFn: () => get<{ total: number; pending: PendingCallback[] }>('/v1/admin/webhooks/pending?limit=100'),
    refetchInterval: 5_000,
  });
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  actorKind: 'operator' | 'admin_token';
  method: string;
  path: string;
  target: string | null;
  status: number;
}

export function useAudit(before: number | undefined) {
  return useQuery({
    queryKey: ['admin', 'audit', before ?? 'newest'],
    queryFn: () =>
      get<{ entries: AuditEntry[]; nextCursor: number | null }>(
        `/v1/admin/audit?limit=50${before ? `&before=${before}` : ''}`,
      ),
    refetchInterval: before ? false : 5_000,
  });
}

export function useCustomer(username: string) {
  return useQuery({
    queryKey: ['admin', 'users', username],
    queryFn: () => get<Customer>(`/v1/admin/users/${enc(username)}`),
    refetchInterval: 10_000,
  });
}

export interface SmppBind {
  bindType: string;
  remote: string | null;
  inFlight: number;
}

export function useBinds(username: string) {
  return useQuery({
    queryKey: ['admin', 'binds', username],
    queryFn: () => get<{ binds: SmppBind[] }>(`/v1/admin/users/${enc(username)}/binds`),
    refetchInterval: 5_000,
  });
}
