/**
 * Reports (REST v1 /v1/reports: final messages counted per hour, day or month, country,
 * campaign or sender) and the running campaigns with their progress, for the dashboard.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { get } from './client';

export type ReportGroupBy = 'hour' | 'day' | 'month' | 'country' | 'campaign' | 'sender';

export interface ReportGroup {
  key: string;
  messages: number;
  parts: number;
  states: Record<string, { messages: number; parts: number }>;
  delivery_rate: number | null;
  median_delivery_ms: number | null;
  p95_delivery_ms: number | null;
  revenue: string;
  cost: string | null;
}

export interface Report {
  group_by: ReportGroupBy;
  from: string;
  to: string;
  groups: ReportGroup[];
}

export interface ReportQuery {
  group_by: ReportGroupBy;
  from?: string;
  to?: string;
}

const params = (q: ReportQuery, extra: Record<string, string> = {}) =>
  new URLSearchParams(
    Object.entries({ ...q, ...extra }).filter(([, v]) => v !== undefined && v !== '') as [string, string][],
  ).toString();

/** Where the same report downloads as CSV (a plain link: the session cookie goes with it). */
export const reportCsvUrl = (q: ReportQuery) => `/v1/reports?${params(q, { format: 'csv' })}`;

export function useReport(q: ReportQuery, refetchInterval: number | false = false) {
  return useQuery({
    queryKey: ['report', q],
    queryFn: () => get<Report>(`/v1/reports?${params(q)}`),
    placeholderData: keepPreviousData,
    refetchInterval,
  });
}

/** A group's messages as the charts show them: sent (final), delivered, failed (the rest). */
export function outcome(g: ReportGroup | undefined) {
  const sent = g?.messages ?? 0;
  const delivered = g?.states.delivered?.messages ?? 0;
  return { sent, delivered, failed: sent - delivered };
}

export interface CampaignProgress {
  id: number;
  name: string;
  state: string;
  recipients: number;
  /** Recipients handled so far (submitted, skipped or refused): all but the pending. */
  done: number;
  delivered: number;
}

interface CampaignRow {
  id: number;
  name: string;
  state: string;
}

interface CampaignStats {
  recipients: number;
  pending: number;
  delivered: number;
}

/** The campaigns sending now, each with its progress (GET /v1/campaigns?state=running, then …/stats). */
export function useRunningCampaigns() {
  return useQuery({
    queryKey: ['campaigns', 'running-progress'],
    queryFn: async (): Promise<CampaignProgress[]> => {
      const { data } = await get<{ data: CampaignRow[] }>('/v1/campaigns?state=running&limit=10');
      return Promise.all(
        data.map(async (c) => {
          const s = await get<CampaignStats>(`/v1/campaigns/${c.id}/stats`);
          return {
            id: c.id,
            name: c.name,
            state: c.state,
            recipients: s.recipients,
            done: s.recipients - s.pending,
            delivered: s.delivered,
          };
        }),
      );
    },
    refetchInterval: 5_000,
  });
}

/** Campaign names by id, for reports grouped by campaign (whose keys are campaign ids). */
export function useCampaignNames(enabled: boolean) {
  return useQuery({
    queryKey: ['campaigns', 'names'],
    queryFn: async () => {
      const { data } = await get<{ data: CampaignRow[] }>('/v1/campaigns?limit=200');
      return new Map(data.map((c) => [String(c.id), c.name]));
    },
    enabled,
    staleTime: 60_000,
  });
}
