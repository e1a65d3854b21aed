/**
 * The built-in simulator as a connector: an in-process SmscSimulator on a loopback port
 * and an SmppConnector bound to it, so the demo and the tests exercise the real SMPP path.
 */
import { SmscSimulator, type SimulatorOptions } from '../simulator/index.js';
import type { Receipt } from '../smpp/index.js';
import type { Capability, MediaRef, OutboundPart, SplitSetting, StoredMessage } from '../domain/index.js';
import type { Connector, ConnectorStatus, InboundPdu, LateSubmit, SubmitOutcome } from '../gateway/index.js';
import { SmppConnector } from './smpp-connector.js';

/**
 * The simulator's own options (SMSC behaviour, faults) plus how the connector splits long
 * texts, and `mms`: the connector also carries MMS (docs/mms.md), so routing and tests of
 * MMS need no MMSC: an MMS is submitted whole, its text as one submit to the simulator,
 * whose receipt comes back like any other.
 */
export type SimulatorConnectorOptions = SimulatorOptions & {
  split?: SplitSetting;
  mms?: boolean;
  /** Total media bytes of one MMS it takes (Connector.mmsMaxBytes). */
  mmsMaxBytes?: number;
};

export class SimulatorConnector implements Connector {
  readonly simulator: SmscSimulator;
  private inner: SmppConnector | undefined;
  private handler: ((r: Receipt) => Promise<void>) | undefined;
  private moHandler: ((mo: InboundPdu) => Promise<void>) | undefined;
  private lateHandler: ((late: LateSubmit) => Promise<void>) | undefined;

  readonly split: SplitSetting;
  readonly capabilities: readonly Capability[];
  readonly mmsMaxBytes: number | undefined;
  /** The MMS it was handed (their ids and media), oldest first: what a test checks was sent. */
  readonly mmsSubmitted: { id: string; media: MediaRef[]; subject?: string }[] = [];

  constructor(
    readonly id: string,
    opts: SimulatorConnectorOptions = {},
  ) {
    const { split, mms, mmsMaxBytes, ...simulator } = opts;
    this.split = split ?? 'udh';
    this.mmsMaxBytes = mmsMaxBytes;
    this.capabilities = mms ? ['sms', 'mms'] : ['sms'];
    this.simulator = new SmscSimulator({
      host: '127.0.0.1',
      port: 0,
      latencyMs: { min: 50, max: 500 },
      ...simulator,
    });
  }

  get ready(): boolean {
    return this.inner?.ready ?? false;
  }

  get capacity(): number {
    return this.inner?.capacity ?? 10;
  }

  status(): ConnectorStatus {
    if (this.inner) return this.inner.status();
    return {
      id: this.id,
      type: 'simulator',
      state: 'stopped',
      bound: false,
      remote: null,
      window: { inUse: 0, size: this.capacity },
      throughput: { perSecond: 0, limit: null },
      counters: {
        submits: 0,
        submitted: 0,
        errors: 0,
        receipts: 0,
        mos: 0,
        binds: 0,
        disconnects: 0,
        throttled: 0,
      },
      lastError: null,
    };
  }

  /**
   * Starts the simulator (once) and binds to it. After an operator's stop, start binds
   * again with the same counters; the simulator itself keeps running until `close()`.
   */
  async start(): Promise<void> {
    if (this.inner) return this.inner.start();
    const port = await this.simulator.listen();
    this.inner = new SmppConnector(this.id, {
      host: '127.0.0.1',
      port,
      systemId: 'hermod',
      password: 'sim',
      windowSize: 50,
      split: this.split,
      reconnect: { initialMs: 100, maxMs: 2000, factor: 2, jitter: 0.5 },
    });
    if (this.handler) this.inner.onReceipt(this.handler);
    if (this.moHandler) this.inner.onMo(this.moHandler);
    if (this.lateHandler) this.inner.onLateSubmit(this.lateHandler);
    this.inner.type = 'simulator';
    await this.inner.start();
  }

  /** Unbinds from the simulator (which keeps running, like a real SMSC would). */
  async stop(): Promise<void> {
    await this.inner?.stop();
  }

  /** Unbinds and shuts the simulator down (at gateway shutdown). */
  async close(): Promise<void> {
    await this.stop();
    await this.simulator.close();
  }

  onReceipt(handler: (r: Receipt) => Promise<void>): void {
    this.handler = handler;
    this.inner?.onReceipt(handler);
  }

  onMo(handler: (mo: InboundPdu) => Promise<void>): void {
    this.moHandler = handler;
    this.inner?.onMo(handler);
  }

  onLateSubmit(handler: (late: LateSubmit) => Promise<void>): void {
    this.lateHandler = handler;
    this.inner?.onLateSubmit(handler);
  }

  submit(m: StoredMessage, part?: OutboundPart): Promise<SubmitOutcome> {
    if (!this.inner)
      return Promise.reject(Object.assign(new Error('simulator connector not started'), { transient: true }));
    const media = m.meta.media ?? [];
    if (media.length > 0) {
      if (!this.capabilities.includes('mms'))
        return Promise.reject(
          Object.assign(new Error(`${this.id} does not carry MMS`), { transient: false }),
        );
      if (part)
        return Promise.reject(Object.assign(new Error('an MMS is submitted whole'), { transient: false }));
      this.mmsSubmitted.push({
        id: m.id,
        media,
        ...(m.meta.subject !== undefined ? { subject: m.meta.subject } : {}),
      });
    }
    return this.inner.submit(m, part);
  }
}
