/** Rows of the PostgreSQL store as the domain reads them (shared by the store and its bulk writes). */
import type { MessageMeta, MessageState, StoredMessage } from '../../domain/index.js';

export type Row = Record<string, unknown>;

export const num = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));

export function toMessage(r: Row): StoredMessage {
  return {
    id: r.id as string,
    userId: num(r.user_id),
    systemId: r.system_id as string,
    source: r.source as string,
    destination: r.destination as string,
    esmClass: r.esm_class as number,
    dataCoding: r.data_coding as number,
    body: r.body as Buffer,
    registeredDelivery: r.registered_delivery as number,
    priority: r.priority as number,
    connectorId: r.connector_id as string,
    priceMicros: num(r.price_micros),
    state: r.state as MessageState,
    upstreamId: (r.upstream_id as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    meta: JSON.parse((r.meta as string | undefined) ?? '{}') as MessageMeta,
  };
}
