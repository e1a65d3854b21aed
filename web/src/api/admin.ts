/** The operators' side (the admin API under /v1/admin), as cached queries: live views poll. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from './client';

export interface ConnectorStatus {
  id: string;
  type: string;
  state: 'stopped' | 'connecting' | 'bound' | 'reconnecting' | 'closed' | 'idle';
  bound: boolean;
  remote: string | null;
  window?: { inUse: number; size: number };
  throughput?: { perSecond: number; limit: number | null };
  counters?: Record<string, number>;
  queueDepth: number;
  lastError: string | null;
  /** Its definition (the keys of hermod.yaml `connectors:`, never the password); null if not changeable. */
  definition?: Record<string, unknown> | null;
  source?: 'config' | 'api' | null;
}

export function useConnectors() {
  return useQuery({
    queryKey: ['admin', 'connectors'],
    queryFn: () => get<{ connectors: ConnectorStatus[] }>('/v1/admin/connectors'),
    refetchInterval: 2_000,
  });
}

/** Start or stop a connector; the list is read again at once so the new state shows. */
export function useConnectorSwitch() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (a: { id: string; verb: 'start' | 'stop' }) =>
      post<ConnectorStatus>(`/v1/admin/connectors/${encodeURIComponent(a.id)}/${a.verb}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'connectors'] }),
  });
}

export interface Stats {
  messages: {
    total: number;
    byState: Record<string, number>;
    byConnector?: Record<string, Record<string, number>>;
  };
  queue: { depth: number; byConnector?: Record<string, number> };
  mo: { count: number };
  connectors: { total: number; bound: number };
}

export function useStats() {
  return useQuery({
    queryKey: ['admin', 'stats'],
    queryFn: () => get<Stats>('/v1/admin/stats'),
    refetchInterval: 2_000,
  });
}

/** GET /v1/admin/cluster (docs/admin-api.md, "Cluster"). */
export interface ClusterStatus {
  self: string;
  leader: string | null;
  nodes: {
    id: string;
    host: string;
    version: string;
    state: 'up' | 'left' | 'dead';
    heartbeatAgeMs: number;
    leader: boolean;
    load: { acceptedPerS: number; upstreamBinds: number; customerBinds: number; cpu: number };
  }[];
}

export function useCluster() {
  return useQuery({
    queryKey: ['admin', 'cluster'],
    queryFn: () => get<ClusterStatus>('/v1/admin/cluster'),
    refetchInterval: 2_000,
  });
}

export interface Customer {
  id: number;
  username: string;
  enabled: boolean;
  balance: string;
  rate: string;
  group: string | null;
  smsCount: number | null;
  settings?: {
    authorizations?: Record<string, boolean>;
    throughput?: { http?: number | null; smpp?: number | null };
    access?: { allowFrom?: string[]; maxBinds?: number | null };
  };
}

export function useCustomers() {
  return useQuery({
    queryKey: ['admin', 'users'],
    queryFn: () => get<{ users: Customer[] }>('/v1/admin/users'),
    refetchInterval: 10_000,
  });
}

export function useTopUp() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (a: { username: string; amount: string }) =>
      post<Customer>(`/v1/admin/users/${encodeURIComponent(a.username)}/credit`, { amount: a.amount }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
}
