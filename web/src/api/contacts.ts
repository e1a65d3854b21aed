/**
 * The address book (REST v1 /v1/contacts, /v1/contact-groups, /v1/imports) and the saved
 * templates, as cached queries; an import's job is polled until it ends.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, post, upload } from './client';

export interface Contact {
  id: number;
  number: string;
  first_name: string | null;
  last_name: string | null;
  fields: Record<string, string>;
  notes: string | null;
  groups: number[];
  opted_out: boolean;
  opt_outs: { sender: string; at: string }[];
  created_at: string;
  updated_at: string;
}

export interface ContactGroup {
  id: number;
  name: string;
  description: string | null;
  members: number;
}

export interface ContactFilter {
  number?: string;
  name?: string;
  group?: number;
}

export interface ContactInput {
  number: string;
  first_name: string | null;
  last_name: string | null;
  fields: Record<string, string | null>;
  notes: string | null;
}

export const queryOf = (f: object) =>
  new URLSearchParams(
    Object.entries(f)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => [k, String(v)]),
  ).toString();

/** The export of the contacts a search matches (a download, CSV). */
export const exportUrl = (f: ContactFilter) => `/v1/contacts/export?${queryOf(f)}`;

export function useContacts(f: ContactFilter, cursor: string | undefined) {
  return useQuery({
    queryKey: ['contacts', f, cursor],
    queryFn: () =>
      get<{ data: Contact[]; next_cursor: string | null }>(
        `/v1/contacts?${queryOf({ limit: 50, ...f, cursor })}`,
      ),
    placeholderData: keepPreviousData,
    // Imports and STOP keywords change the list under the user's eyes.
    refetchInterval: 10_000,
  });
}

export function useGroups() {
  return useQuery({
    queryKey: ['contact-groups'],
    queryFn: () => get<{ data: ContactGroup[] }>('/v1/contact-groups'),
    refetchInterval: 10_000,
  });
}

/** A change to the address book; the lists are read again after it. */
function useChange<A, R>(fn: (a: A) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['contacts'] });
      void qc.invalidateQueries({ queryKey: ['contact-groups'] });
    },
  });
}

export const useSaveContact = () =>
  useChange((c: { id?: number; input: ContactInput }) =>
    c.id === undefined
      ? post<Contact>('/v1/contacts', {
          ...c.input,
          fields: Object.fromEntries(Object.entries(c.input.fields).filter(([, v]) => v !== null)),
        })
      : api<Contact>('PATCH', `/v1/contacts/${c.id}`, c.input),
  );
export const useDeleteContact = () => useChange((id: number) => api<void>('DELETE', `/v1/contacts/${id}`));
export const useCreateGroup = () =>
  useChange((name: string) => post<ContactGroup>('/v1/contact-groups', { name }));
export const useRenameGroup = () =>
  useChange((g: { id: number; name: string }) =>
    api<ContactGroup>('PATCH', `/v1/contact-groups/${g.id}`, { name: g.name }),
  );
export const useDeleteGroup = () =>
  useChange((id: number) => api<void>('DELETE', `/v1/contact-groups/${id}`));
export const useGroupMembers = () =>
  useChange((m: { group: number; contacts: number[]; remove?: boolean }) =>
    post<{ added?: number; removed?: number }>(
      `/v1/contact-groups/${m.group}/members${m.remove ? '/remove' : ''}`,
      { contacts: m.contacts },
    ),
  );

export type Role = 'number' | 'first_name' | 'last_name' | 'notes' | 'field';

export interface ImportPreview {
  header: boolean;
  delimiter: string;
  columns: { position: number; name: string | null; role: Role | null; field: string | null }[];
  rows: {
    line: number;
    cells: string[];
    contact: {
      number: string;
      first_name?: string;
      last_name?: string;
      notes?: string;
      fields?: Record<string, string>;
    } | null;
    error: string | null;
    repeat_of: number | null;
  }[];
}

/** The import's options: `map` as number=2,first_name=1,last_name=-,field.code=3 (by position). */
export interface ImportOptions {
  map?: string;
  group_id?: number;
  file_name?: string;
}

export const previewImport = (head: string, o: ImportOptions) =>
  upload<ImportPreview>(`/v1/imports/preview?${queryOf({ rows: 10, map: o.map })}`, head, 'text/csv');

export interface ImportJob {
  id: number;
  state: 'queued' | 'running' | 'completed' | 'failed';
  progress: number;
  total: number;
  created: number;
  updated: number;
  invalid: number;
  error: string | null;
  errors_url: string;
}

export function useStartImport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (i: { file: Blob; options: ImportOptions }) =>
      upload<ImportJob>(`/v1/imports?${queryOf(i.options)}`, i.file, 'text/csv'),
    onSuccess: (job) => qc.setQueryData(['import', job.id], job),
  });
}

export const isFinal = (j: ImportJob | undefined) => j?.state === 'completed' || j?.state === 'failed';

export function useImport(id: number | undefined) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: ['import', id],
    queryFn: async () => {
      const job = await get<ImportJob>(`/v1/imports/${id}`);
      if (isFinal(job)) {
        void qc.invalidateQueries({ queryKey: ['contacts'] });
        void qc.invalidateQueries({ queryKey: ['contact-groups'] });
      }
      return job;
    },
    enabled: id !== undefined,
    refetchInterval: (q) => (isFinal(q.state.data) ? false : 500),
  });
}

/** The import's error report (CSV text), read once it has ended. */
export function useImportErrors(job: ImportJob | undefined) {
  return useQuery({
    queryKey: ['import-errors', job?.id],
    queryFn: () => get<string>(job!.errors_url),
    enabled: job !== undefined && isFinal(job) && job.invalid > 0,
  });
}

export interface Template {
  id: number;
  name: string;
  text: string;
}

export function useTemplates() {
  return useQuery({
    queryKey: ['templates'],
    queryFn: () => get<{ data: Template[] }>('/v1/templates?limit=200'),
    staleTime: 30_000,
  });
}

export interface Audience {
  groups: number[];
  contacts: number[];
  numbers: string[];
}

/**
 * Messages to groups and contacts go out as a one-off campaign (POST /v1/campaigns, then
 * start): the campaign resolves the groups, skips opted-out numbers and fills each
 * recipient's placeholders; the user follows it on its page.
 */
export function useSendCampaign() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (m: { from: string; text: string; audience: Audience; schedule_at?: string }) => {
      const c = await post<{ id: number }>('/v1/campaigns', {
        name: `Sent from the console ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
        ...m,
      });
      return post<{ id: number; state: string }>(`/v1/campaigns/${c.id}/start`);
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
      void qc.invalidateQueries({ queryKey: ['balance'] });
    },
  });
}
