/** Rows of the PostgreSQL store as the domain reads them (shared by the store and its bulk writes). */
import type { MessageMeta, MessageState, StoredMessage } from '../../domain/index.js';

export type Row = Record<string, unknown>;

/** The columns toMessage reads (a statement kept prepared names them rather than `*`). */
export const MESSAGE_COLUMNS =
  'id, user_id, system_id, source, destination, esm_class, data_coding, body, registered_delivery, priority, connector_id, price_micros, state, upstream_id, error, created_at, updated_at, meta';

/**
 * A statement kept prepared on each connection under `name` (parsed and analysed once per
 * connection, not at every batch): for the bulk statements, run every few messages.
 */
export const prepared = (name: string, text: string) => (values: unknown[]) => ({
  name: `hermod_${name}`,
  text,
  values,
});

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
