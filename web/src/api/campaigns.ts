/**
 * Campaigns (REST v1 /v1/campaigns), their templates and the contact groups an audience is
 * made of, as cached queries. A running campaign and its statistics are polled every 2 s.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, post } from './client';

export type CampaignState = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'canceled';
export const CAMPAIGN_STATES: CampaignState[] = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'canceled',
];

export interface SampleMessage {
  text: string;
  encoding: string;
  segments: number;
  price: string;
}

export interface Estimate {
  recipients: number;
  parts: number;
  cost: string;
  worst: SampleMessage | null;
  typical: SampleMessage | null;
}

export interface CampaignInput {
  name: string;
  from: string;
  text?: string;
  template_id?: number;
  audience: { groups?: number[]; contacts?: number[]; exclude_groups?: number[]; numbers?: string[] };
  schedule_at?: string;
  time_zone?: string;
  quiet_hours?: { from: string; to: string };
  rate_per_second?: number;
  send_what_balance_covers?: boolean;
  repeat?: { every: 'day' | 'week'; times?: number };
}

export interface Campaign {
  id: number;
  name: string;
  from: string;
  text: string | null;
  template_id: number | null;
  audience: { groups: number[]; contacts: number[]; exclude_groups: number[]; numbers: number };
  schedule_at: string | null;
  time_zone: string | null;
  quiet_hours: { from: string; to: string } | null;
  rate_per_second: number | null;
  send_what_balance_covers: boolean;
  repeat: { every: string; times: number | null } | null;
  occurrence: number;
  next_id: number | null;
  state: CampaignState;
  state_reason: string | null;
  estimate: Estimate | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface CampaignStats {
  state: CampaignState;
  recipients: number;
  skipped: Record<string, number>;
  refused: Record<string, number>;
  pending: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  expired: number;
  parts: number;
  cost: string;
  replies: number;
  opt_outs: number;
}

export interface RecipientPreview {
  contact_id: number | null;
  number: string;
  first_name: string | null;
  last_name: string | null;
  message: { text: string; encoding: string; segments: number; price: string } | null;
  skipped: string | null;
}

export interface AudienceAnswer {
  recipients: number;
  opted_out: number;
  duplicates: number;
  samples: RecipientPreview[];
}

export interface AudienceQuestion {
  from: string;
  audience: CampaignInput['audience'];
  text?: string;
  template_id?: number;
  sample?: number;
}

export interface Template {
  id: number;
  name: string;
  text: string;
}

export interface ContactGroup {
  id: number;
  name: string;
  members: number;
}

/** States in which a campaign still changes by itself: polled. */
export const isLive = (s: CampaignState | undefined) => s === 'running' || s === 'scheduled';

export function useCampaigns(state: CampaignState | '') {
  return useQuery({
    queryKey: ['campaigns', state],
    queryFn: () =>
      get<{ data: Campaign[]; next: number | null }>(
        `/v1/campaigns?limit=100${state ? `&state=${state}` : ''}`,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.data.some((c) => isLive(c.state)) ? 2_000 : 10_000),
  });
}

export function useCampaign(id: number) {
  return useQuery({
    queryKey: ['campaign', id],
    queryFn: () => get<Campaign>(`/v1/campaigns/${id}`),
    refetchInterval: (q) => (isLive(q.state.data?.state) ? 2_000 : false),
  });
}

export function useCampaignStats(id: number, live: boolean) {
  return useQuery({
    queryKey: ['campaign-stats', id],
    queryFn: () => get<CampaignStats>(`/v1/campaigns/${id}/stats`),
    // Receipts still arrive for a while after the last message went out.
    refetchInterval: live ? 2_000 : 10_000,
  });
}

/** Statistics of many campaigns at once (the list's progress bars). */
export function useStatsOf(ids: number[], live: boolean) {
  return useQuery({
    queryKey: ['campaign-stats-of', ids],
    queryFn: async () =>
      Object.fromEntries(
        await Promise.all(ids.map(async (id) => [id, await get<CampaignStats>(`/v1/campaigns/${id}/stats`)])),
      ) as Record<number, CampaignStats>,
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2_000 : 10_000,
  });
}

export function useCampaignAction(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (verb: 'start' | 'pause' | 'resume' | 'cancel') =>
      post<Campaign>(`/v1/campaigns/${id}/${verb}`),
    onSuccess: (c) => {
      qc.setQueryData(['campaign', id], c);
      void qc.invalidateQueries({ queryKey: ['campaign-stats', id] });
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
}

export const createCampaign = (c: CampaignInput) => post<Campaign>('/v1/campaigns', c);
export const estimateCampaign = (id: number) => post<Estimate>(`/v1/campaigns/${id}/estimate`);
export const startCampaign = (id: number) => post<Campaign>(`/v1/campaigns/${id}/start`);
export const deleteDraft = (id: number) => api<void>('DELETE', `/v1/campaigns/${id}`);

/** The audience counted and its first recipients' messages (POST /v1/campaigns/audience). */
export function useAudience(q: AudienceQuestion, enabled: boolean) {
  return useQuery({
    queryKey: ['campaign-audience', q],
    queryFn: () => post<AudienceAnswer>('/v1/campaigns/audience', q),
    enabled,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: ['templates'],
    queryFn: () => get<{ data: Template[] }>('/v1/templates?limit=200'),
  });
}

export function useCreateTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (t: { name: string; text: string }) => post<Template>('/v1/templates', t),
    onSuccess: (t) => {
      // Listed at once, so the template can be chosen before the list is read again.
      qc.setQueryData<{ data: Template[] }>(['templates'], (old) => ({ data: [...(old?.data ?? []), t] }));
      void qc.invalidateQueries({ queryKey: ['templates'] });
    },
  });
}

export function useGroups() {
  return useQuery({
    queryKey: ['campaign-groups'],
    queryFn: () => get<{ data: ContactGroup[] }>('/v1/contact-groups'),
  });
}

/** The recipients' statuses as a CSV download (the browser sends the session cookie). */
export const recipientsCsvUrl = (id: number) => `/v1/campaigns/${id}/recipients?format=csv`;
