/** Messages (REST v1 /v1/messages), the balance and price quotes, as cached queries. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from './client';

export interface Message {
  id: string;
  status: string;
  to: string;
  from: string;
  text?: string;
  encoding?: string;
  segments?: number;
  cost?: string;
  error?: string;
  tags?: string[];
  created_at: string;
  updated_at: string;
  /** `mms` when it carries media. */
  type?: 'sms' | 'mms';
  subject?: string;
  /** An MMS's media, or the items an SMS fallback links to. */
  media?: MediaItem[];
  /** `sms_link`: the MMS went as an SMS with a link per item (no MMS-capable connector). */
  fallback?: 'sms_link';
}

export interface MediaItem {
  id: string;
  content_type: string;
  size: number;
  filename?: string;
  /** A signed URL (inbound media); else the account's own copy is read by id. */
  url?: string;
}

export interface MessageDetail extends Message {
  timeline: { state: string; at: string; detail: string | null; part: number | null }[];
  parts?: { seq: number; state: string; connector?: string; upstream_id?: string; error?: string }[];
}

export interface MessageFilter {
  to?: string;
  /** The sender, as sent (an alphanumeric id, a short code or +E.164). */
  from?: string;
  /** An SMS-engine campaign's id. */
  campaign?: string;
  status?: string;
  since?: string;
  until?: string;
  cursor?: string;
}

const query = (f: object) =>
  new URLSearchParams(Object.entries(f).filter(([, v]) => v !== undefined && v !== '') as [string, string][]);

export function useMessages(f: MessageFilter) {
  return useQuery({
    queryKey: ['messages', f],
    queryFn: () =>
      get<{ data: Message[]; next_cursor: string | null }>(`/v1/messages?${query({ limit: '50', ...f })}`),
    placeholderData: keepPreviousData,
    refetchInterval: 5_000,
  });
}

export function useMessage(id: string) {
  return useQuery({
    queryKey: ['message', id],
    queryFn: () => get<MessageDetail>(`/v1/messages/${encodeURIComponent(id)}`),
    // Until it is final, its state changes under the user's eyes.
    refetchInterval: (q) =>
      q.state.data &&
      ['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'canceled'].includes(q.state.data.status)
        ? false
        : 2_000,
  });
}

export interface Balance {
  balance: string;
  username: string;
  low?: boolean;
}

export function useBalance() {
  return useQuery({
    queryKey: ['balance'],
    queryFn: () => get<Balance>('/v1/balance'),
    refetchInterval: 15_000,
  });
}

export interface Quote {
  rate: string;
  parts?: number;
  total?: string;
  country: string | null;
  /** Asked for an MMS: what it would go as. */
  type?: 'sms' | 'mms';
  fallback?: 'sms_link';
}

/**
 * The price of `text` to `to` (GET /v1/rates), of an MMS with `mms`: asked only for a
 * plausible number.
 */
export function useQuote(to: string, text: string, mms = false) {
  const e164 = `+${to.replace(/[\s()+-]/g, '')}`;
  const plausible = /^\+[1-9]\d{6,14}$/.test(e164);
  return useQuery({
    queryKey: ['quote', e164, text, mms],
    queryFn: () => get<Quote>(`/v1/rates?${query({ to: e164, text, ...(mms ? { type: 'mms' } : {}) })}`),
    enabled: plausible,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
  });
}

export interface SendInput {
  to: string;
  from?: string;
  text?: string;
  send_at?: string;
  /** Upload ids (med_…): the message is then an MMS. */
  media_urls?: string[];
  subject?: string;
}

export function useSend() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (m: SendInput) => post<Message>('/v1/messages', m),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['messages'] });
      void qc.invalidateQueries({ queryKey: ['balance'] });
    },
  });
}

export interface BatchResult {
  accepted: number;
  failed: number;
  results: {
    index: number;
    to: string;
    ok: boolean;
    message?: Message;
    error?: { detail: string; code: string };
  }[];
}

/** Many numbers, one text (POST /v1/messages/batch): one result per number, partial failures reported. */
export function useSendBatch() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (m: Omit<SendInput, 'to'> & { to: string[] }) => post<BatchResult>('/v1/messages/batch', m),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['messages'] });
      void qc.invalidateQueries({ queryKey: ['balance'] });
    },
  });
}
