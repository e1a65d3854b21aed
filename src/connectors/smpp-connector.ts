/**
 * An upstream SMSC over SMPP: wraps SmppClient (bind, reconnect, window, throttling)
 * behind the gateway's Connector interface. Receipts are acknowledged to the SMSC only
 * after the gateway has stored them.
 */
import {
  CommandStatus,
  SmppClient,
  SmppError,
  receiptFromPdu,
  type Pdu,
  type Receipt,
  type SmppClientOptions,
} from '../smpp/index.js';
import type { StoredMessage } from '../domain/index.js';
import type { Connector, ConnectorFailure, SubmitOutcome } from '../gateway/index.js';

function failure(err: unknown): ConnectorFailure {
  const e = (err instanceof Error ? err : new Error(String(err))) as ConnectorFailure;
  // Throttling, queue full, timeouts, lost connections and "not bound" are worth retrying.
  e.transient = err instanceof SmppError ? err.retriable : false;
  const status = (err as { commandStatus?: number }).commandStatus;
  if (status !== undefined) e.status = status;
  return e;
}

export class SmppConnector implements Connector {
  readonly client: SmppClient;
  private handler: ((r: Receipt) => Promise<void>) | undefined;

  constructor(
    readonly id: string,
    private readonly opts: SmppClientOptions,
  ) {
    this.client = new SmppClient({ bindType: 'transceiver', ...opts });
    this.client.on('error', () => undefined);
    this.client.on('deliver_sm', (pdu: Pdu, respond: (f?: Record<string, unknown>) => void) => void this.onDeliver(pdu, respond));
  }

  get ready(): boolean {
    return this.client.bound;
  }

  get capacity(): number {
    return this.opts.windowSize ?? 10;
  }

  async start(): Promise<void> {
    // Binding continues in the background (with reconnects); the dispatcher waits for `ready`.
    this.client.connect().catch((err: unknown) => this.client.emit('start_error', err));
  }

  async stop(): Promise<void> {
    await this.client.close();
  }

  onReceipt(handler: (r: Receipt) => Promise<void>): void {
    this.handler = handler;
  }

  async submit(m: StoredMessage): Promise<SubmitOutcome> {
    const alpha = /[^0-9+]/.test(m.source);
    const long = m.body.length > 254;
    try {
      const resp = await this.client.submitSm({
        sourceAddrTon: alpha ? 5 : 1,
        sourceAddrNpi: alpha ? 0 : 1,
        sourceAddr: m.source.replace(/^\+/, ''),
        destAddrTon: 1,
        destAddrNpi: 1,
        destinationAddr: m.destination,
        esmClass: m.esmClass & 0x40,
        dataCoding: m.dataCoding,
        priorityFlag: Math.min(3, m.priority),
        // We always ask for receipts upstream: state is tracked whatever the customer asked.
        registeredDelivery: 1,
        shortMessage: long ? Buffer.alloc(0) : m.body,
        tlvs: long ? { messagePayload: m.body } : {},
      });
      return { upstreamId: resp.messageId };
    } catch (err) {
      throw failure(err);
    }
  }

  private async onDeliver(pdu: Pdu, respond: (f?: Record<string, unknown>) => void): Promise<void> {
    if (pdu.command !== 'deliver_sm') return;
    const receipt = receiptFromPdu(pdu);
    if (!receipt || !this.handler) {
      // MO messages are not handled yet: ask the SMSC to keep and retry them, never drop.
      respond({ commandStatus: CommandStatus.ESME_RX_T_APPN });
      return;
    }
    try {
      await this.handler(receipt);
      respond();
    } catch {
      respond({ commandStatus: CommandStatus.ESME_RX_T_APPN });
    }
  }
}
