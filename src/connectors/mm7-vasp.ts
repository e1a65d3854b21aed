/**
 * What an MM7 connector does with the MMSC's requests once they are authenticated and
 * parsed (the VASP side of 3GPP TS 23.140): a DeliveryReportReq becomes a receipt for the
 * message its MessageID names, a ReadReplyReq is acknowledged, a DeliverReq (an inbound
 * MMS) has its attachments put in the media library and goes to the MO pipeline. Each is
 * answered only after the gateway's handler resolved (what it carried is stored), so a
 * relay that sees a Fault or no answer sends it again.
 */
import {
  Mm7Status,
  errorResponse,
  reportState,
  responseTo,
  status,
  type DeliverReq,
  type DeliveryReportReq,
  type Mm7Message,
  type Mm7Request,
  type ReportState,
} from '../mm7/index.js';
import { encodeText, stateOfStat, type Receipt, type ReceiptStat } from '../smpp/index.js';
import type { MediaRef } from '../domain/index.js';
import type { InboundPdu, MediaLibrary } from '../gateway/index.js';
import { addressDigits, filenameOf, splitInbound } from './mm7-content.js';

export interface VaspCounters {
  receipts: number;
  mos: number;
  readReplies: number;
}

/** A report's Hermod state as the receipt stat that carries it (SMPP 3.4 Appendix B). */
const STAT_OF: Record<ReportState, ReceiptStat> = {
  delivered: 'DELIVRD',
  undelivered: 'UNDELIV',
  expired: 'EXPIRED',
  rejected: 'REJECTD',
  enroute: 'ENROUTE',
  unknown: 'UNKNOWN',
};

export class VaspEndpoint {
  onReceipt: ((r: Receipt) => Promise<void>) | undefined;
  onMo: ((mo: InboundPdu) => Promise<void>) | undefined;

  constructor(
    private readonly connectorId: string,
    private readonly counts: VaspCounters,
    private readonly media: MediaLibrary | undefined,
  ) {}

  async handle(req: Mm7Request): Promise<Mm7Message> {
    switch (req.kind) {
      case 'DeliveryReportReq':
        return this.report(req);
      case 'ReadReplyReq':
        this.counts.readReplies++;
        return responseTo(req, status(Mm7Status.SUCCESS));
      case 'DeliverReq':
        return this.deliver(req);
      case 'SubmitReq':
        return errorResponse(
          'vasp',
          req.transactionId,
          Mm7Status.UNSUPPORTED_OPERATION,
          'a VASP does not take SubmitReq',
          req.version,
        );
    }
  }

  private async report(req: DeliveryReportReq): Promise<Mm7Message> {
    if (!this.onReceipt) return this.notReady(req);
    const stat = STAT_OF[reportState(req.mmStatus)];
    await this.onReceipt({
      id: req.messageId,
      stat,
      state: stateOfStat(stat),
      ...(req.statusText ? { err: req.statusText.slice(0, 64) } : {}),
      // What the report said, without the numbers (raw receipts are shown to operators).
      raw: JSON.stringify({ mmStatus: req.mmStatus, statusText: req.statusText, date: req.date }),
    });
    this.counts.receipts++;
    return responseTo(req, status(Mm7Status.SUCCESS));
  }

  private async deliver(req: DeliverReq): Promise<Mm7Message> {
    if (!this.onMo) return this.notReady(req);
    if (!this.media)
      return errorResponse(
        'vasp',
        req.transactionId,
        Mm7Status.SERVER_ERROR,
        `connector ${this.connectorId} has no media library`,
        req.version,
      );
    const { text, attachments } = splitInbound(req.content);
    const refs: MediaRef[] = [];
    for (const a of attachments) {
      try {
        const filename = filenameOf(a);
        refs.push(
          await this.media.put(Buffer.from(a.bytes), { userId: null, ...(filename ? { filename } : {}) }),
        );
      } catch (err) {
        // A type an MMS may not carry, or too large: the relay is told (2004), nothing is stored.
        const code = (err as { code?: string }).code;
        if (code !== 'HERMOD_ERR_MEDIA_TYPE' && code !== 'HERMOD_ERR_MEDIA_TOO_LARGE') throw err;
        return errorResponse(
          'vasp',
          req.transactionId,
          Mm7Status.CONTENT_REFUSED,
          (err as Error).message,
          req.version,
        );
      }
    }
    const to = [...(req.recipients?.to ?? []), ...(req.recipients?.cc ?? []), ...(req.recipients?.bcc ?? [])];
    await this.onMo({
      source: addressDigits(req.sender),
      destination: to.length > 0 ? addressDigits(to[0]) : (req.vasId ?? req.vaspId ?? ''),
      esmClass: 0,
      dataCoding: 8,
      shortMessage: encodeText(text, 'ucs2'),
      ...(refs.length > 0 ? { media: refs } : {}),
      ...(req.subject ? { subject: req.subject } : {}),
    });
    this.counts.mos++;
    return responseTo(req, status(Mm7Status.SUCCESS));
  }

  /** Before the gateway registered its handlers: a temporary error, the relay tries again. */
  private notReady(req: Mm7Request): Mm7Message {
    return errorResponse(
      'vasp',
      req.transactionId,
      Mm7Status.SERVICE_UNAVAILABLE,
      'not ready: retry later',
      req.version,
    );
  }
}
