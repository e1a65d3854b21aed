/**
 * The session's states and SMPP 3.4 §2.3's table of who may send what in which state:
 * the rules `Session` enforces, kept apart so they read as the specification does.
 */
import type { CommandName } from '../codec/index.js';

export type SessionState = 'open' | 'bound_tx' | 'bound_rx' | 'bound_trx' | 'unbinding' | 'closed';
export type BindType = 'transmitter' | 'receiver' | 'transceiver';
export type Role = 'esme' | 'smsc';

export const BIND_COMMAND: Record<BindType, 'bind_transmitter' | 'bind_receiver' | 'bind_transceiver'> = {
  transmitter: 'bind_transmitter',
  receiver: 'bind_receiver',
  transceiver: 'bind_transceiver',
};
export const BOUND_STATE: Record<BindType, SessionState> = {
  transmitter: 'bound_tx',
  receiver: 'bound_rx',
  transceiver: 'bound_trx',
};

export function bindTypeOf(command: CommandName): BindType | undefined {
  switch (command) {
    case 'bind_transmitter':
    case 'bind_transmitter_resp':
      return 'transmitter';
    case 'bind_receiver':
    case 'bind_receiver_resp':
      return 'receiver';
    case 'bind_transceiver':
    case 'bind_transceiver_resp':
      return 'transceiver';
    default:
      return undefined;
  }
}

// SMPP 3.4 §2.3 table 2-1: who may send what in which state.
const ESME_SENDS_TX = new Set<CommandName>([
  'submit_sm',
  'submit_multi',
  'data_sm',
  'query_sm',
  'cancel_sm',
  'replace_sm',
  'broadcast_sm',
  'query_broadcast_sm',
  'cancel_broadcast_sm',
]);
const SMSC_SENDS_RX = new Set<CommandName>(['deliver_sm', 'data_sm', 'alert_notification']);

/** Whether `sender` may send request `command` in `state`. */
export function allowed(sender: Role, command: CommandName, state: SessionState): boolean {
  if (command === 'enquire_link' || command === 'generic_nack') return state !== 'closed';
  if (command === 'unbind')
    return state === 'bound_tx' || state === 'bound_rx' || state === 'bound_trx' || state === 'unbinding';
  if (bindTypeOf(command)) return sender === 'esme' && state === 'open';
  if (command === 'outbind') return sender === 'smsc' && state === 'open';
  if (sender === 'esme') return ESME_SENDS_TX.has(command) && (state === 'bound_tx' || state === 'bound_trx');
  return SMSC_SENDS_RX.has(command) && (state === 'bound_rx' || state === 'bound_trx');
}
