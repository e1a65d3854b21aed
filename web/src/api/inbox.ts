/**
 * The inbox (REST v1 /v1/conversations) and keyword services (/v1/keywords), as cached
 * queries: the conversation list and a thread are polled, since MOs arrive at any time.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, post } from './client';
import type { MediaItem } from './messages';

export interface ThreadMessage {
  id: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  text: string | null;
  encoding: string;
  /** An outbound message's state (queued, sent, delivered…); null for inbound. */
  state: string | null;
  at: string;
  /** An MMS's media with signed URLs (inbound, sent, or linked by an SMS fallback). */
  media?: MediaItem[];
}

export interface Conversation {
  number: string;
  name: string | null;
  contact_id: number | null;
  our_number: string;
  unread: number;
  read_until: string | null;
  last_at: string;
  last_message: ThreadMessage | null;
}

const path = (number: string) => `/v1/conversations/${encodeURIComponent(number)}`;

const page = (cursor: string) => (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');

/** The conversations, 50 a page (more on demand); every loaded page is polled. */
export function useConversations() {
  return useInfiniteQuery({
    queryKey: ['conversations'],
    queryFn: ({ pageParam }) =>
      get<{ data: Conversation[]; unread: number; next_cursor: string | null }>(
        `/v1/conversations?limit=50${page(pageParam)}`,
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 3_000,
  });
}

/** A thread, newest first, 50 messages a page (older ones on demand). */
export function useThread(number: string) {
  return useInfiniteQuery({
    queryKey: ['thread', number],
    queryFn: ({ pageParam }) =>
      get<{ data: ThreadMessage[]; next_cursor: string | null }>(
        `${path(number)}/messages?limit=50${page(pageParam)}`,
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 2_000,
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (number: string) => post<Conversation>(`${path(number)}/read`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['conversations'] }),
  });
}

export function useReply(number: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (text: string) =>
      post<{ id: string; parts: number; cost: string }>(`${path(number)}/messages`, { text }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['thread', number] });
      void qc.invalidateQueries({ queryKey: ['conversations'] });
      void qc.invalidateQueries({ queryKey: ['balance'] });
    },
  });
}

export type KeywordKind = 'reply' | 'subscribe' | 'poll' | 'forward';

export interface KeywordService {
  id: number;
  number: string | null;
  keyword: string;
  aliases: string[];
  kind: KeywordKind;
  reply: string | null;
  leave_reply: string | null;
  group_id: number | null;
  options: string[] | null;
  url: string | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

/** What the form sends: on create every field; on change only the editable ones. */
export interface KeywordInput {
  number?: string | null;
  kind?: KeywordKind;
  group?: string;
  keyword: string;
  aliases: string[];
  reply: string | null;
  leave_reply?: string | null;
  options?: string[];
  url?: string;
  enabled: boolean;
}

export function useKeywords() {
  return useQuery({
    queryKey: ['keywords'],
    queryFn: () => get<{ data: KeywordService[] }>('/v1/keywords'),
  });
}

export function useSaveKeyword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: number; input: KeywordInput }) =>
      id === undefined
        ? post<KeywordService>('/v1/keywords', input)
        : api<KeywordService>('PATCH', `/v1/keywords/${id}`, input),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['keywords'] }),
  });
}

export function useDeleteKeyword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>('DELETE', `/v1/keywords/${id}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['keywords'] }),
  });
}

export interface PollResults {
  id: number;
  keyword: string;
  total: number;
  results: { answer: string; votes: number }[];
}

/** A poll's votes per answer, while shown (votes arrive by text at any time). */
export function usePollResults(id: number) {
  return useQuery({
    queryKey: ['keywords', id, 'results'],
    queryFn: () => get<PollResults>(`/v1/keywords/${id}/results`),
    refetchInterval: 5_000,
  });
}
