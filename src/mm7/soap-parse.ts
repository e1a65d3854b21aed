/**
 * The SOAP envelope → a message value. Lenient where real relays differ and the meaning is
 * clear (any prefix; children qualified or not; REL-5-MM7-1-0's plain-text addresses;
 * `True`/`False`; an unqualified response as Skycore documents it), strict where a wrong
 * guess would deliver the wrong thing (not SOAP, a foreign namespace, a missing required
 * element). Every refusal is an Mm7ParseError carrying the status to answer with.
 */
import { Mm7ParseError, parseError } from './errors.js';
import { isMm7Namespace, SOAP_ENV } from './namespaces.js';
import { Mm7Status } from './status.js';
import { child, childText, parseXml, type XmlElement } from './xml.js';
import type { ErrorRsp, Mm7Address, Mm7Message, Mm7StatusValue, Priority, Recipients } from './types.js';

export interface ParsedSoap {
  /** The message, without its content (the MIME layer attaches that). */
  readonly message: Mm7Message;
  /** The MM7 namespace it was written in (undefined: unqualified). Answer in the same. */
  readonly namespace: string | undefined;
  /** The Content element's href (`cid:…`), when it has one. */
  readonly contentHref: string | undefined;
}

function required(el: XmlElement, name: string): string {
  const v = childText(el, name);
  if (v === undefined || v === '') throw parseError.missing(name, el.name);
  return v;
}

function bool(el: XmlElement, name: string): boolean | undefined {
  const v = childText(el, name);
  if (v === undefined) return undefined;
  const l = v.toLowerCase();
  if (l === 'true' || l === '1') return true;
  if (l === 'false' || l === '0') return false;
  throw parseError.badValue(name, v);
}

function priority(el: XmlElement): Priority | undefined {
  const v = childText(el, 'Priority');
  if (v === undefined) return undefined;
  const p = v.charAt(0).toUpperCase() + v.slice(1).toLowerCase();
  if (p === 'Low' || p === 'Normal' || p === 'High') return p;
  throw parseError.badValue('Priority', v);
}

const ADDRESS_KIND = { Number: 'number', ShortCode: 'shortCode', RFC2822Address: 'email' } as const;

/** An address element's first address: structured (REL-5-MM7-1-2 on), or plain text (REL-5-MM7-1-0). */
function addressOf(el: XmlElement): Mm7Address | undefined {
  for (const c of el.children) {
    const kind = (ADDRESS_KIND as Record<string, Mm7Address['kind']>)[c.name];
    if (kind && c.text !== '') return { kind, value: c.text };
  }
  if (el.children.length === 0 && el.text !== '')
    return { kind: el.text.includes('@') ? 'email' : 'number', value: el.text };
  return undefined;
}

function address(el: XmlElement, name: string): Mm7Address | undefined {
  const a = child(el, name);
  return a && addressOf(a);
}

function requiredAddress(el: XmlElement, name: string): Mm7Address {
  const a = address(el, name);
  if (!a) throw parseError.missing(name, el.name);
  return a;
}

function list(el: XmlElement | undefined): Mm7Address[] | undefined {
  if (!el) return undefined;
  return el.children.flatMap((c) => {
    const kind = (ADDRESS_KIND as Record<string, Mm7Address['kind']>)[c.name];
    return kind && c.text !== '' ? [{ kind, value: c.text }] : [];
  });
}

function recipients(el: XmlElement): Recipients | undefined {
  const r = child(el, 'Recipients');
  if (!r) return undefined;
  const cc = list(child(r, 'Cc'));
  const bcc = list(child(r, 'Bcc'));
  return { to: list(child(r, 'To')) ?? [], ...(cc && { cc }), ...(bcc && { bcc }) };
}

function status(el: XmlElement): Mm7StatusValue {
  const s = child(el, 'Status');
  if (!s) throw parseError.missing('Status', el.name);
  const raw = required(s, 'StatusCode');
  const code = Number(raw);
  if (!Number.isInteger(code) || code < 0) throw parseError.badValue('StatusCode', raw);
  return compact({ code, text: childText(s, 'StatusText'), details: childText(s, 'Details') });
}

/** Drops the keys whose value is undefined, so parsed values compare equal to built ones. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function message(el: XmlElement, transactionId: string): Mm7Message {
  const head = { transactionId, version: required(el, 'MM7Version') };
  const t = (name: string) => childText(el, name);
  switch (el.name) {
    case 'SubmitReq': {
      const ident = child(el, 'SenderIdentification');
      const r = recipients(el);
      if (!r || r.to.length + (r.cc?.length ?? 0) + (r.bcc?.length ?? 0) === 0)
        throw parseError.missing('Recipients', 'SubmitReq');
      return compact({
        kind: 'SubmitReq',
        ...head,
        vaspId: ident && childText(ident, 'VASPID'),
        vasId: ident && childText(ident, 'VASID'),
        sender: ident && address(ident, 'SenderAddress'),
        recipients: r,
        serviceCode: t('ServiceCode'),
        linkedId: t('LinkedID'),
        messageClass: t('MessageClass'),
        timeStamp: t('TimeStamp'),
        earliestDeliveryTime: t('EarliestDeliveryTime'),
        expiryDate: t('ExpiryDate'),
        deliveryReport: bool(el, 'DeliveryReport'),
        readReply: bool(el, 'ReadReply'),
        priority: priority(el),
        subject: t('Subject'),
        distributionIndicator: bool(el, 'DistributionIndicator'),
      });
    }
    case 'SubmitRsp':
      return compact({ kind: 'SubmitRsp', ...head, status: status(el), messageId: t('MessageID') });
    case 'DeliverReq':
      return compact({
        kind: 'DeliverReq',
        ...head,
        mmsRelayServerId: t('MMSRelayServerID'),
        vaspId: t('VASPID'),
        vasId: t('VASID'),
        linkedId: t('LinkedID'),
        sender: requiredAddress(el, 'Sender'),
        recipients: recipients(el),
        timeStamp: t('TimeStamp'),
        replyChargingId: t('ReplyChargingID'),
        priority: priority(el),
        subject: t('Subject'),
      });
    case 'DeliverRsp':
      return compact({ kind: 'DeliverRsp', ...head, status: status(el), serviceCode: t('ServiceCode') });
    case 'DeliveryReportReq':
    case 'ReadReplyReq': {
      const common = {
        ...head,
        mmsRelayServerId: t('MMSRelayServerID'),
        messageId: required(el, 'MessageID'),
        recipient: requiredAddress(el, 'Recipient'),
        sender: requiredAddress(el, 'Sender'),
        mmStatus: required(el, 'MMStatus'),
        statusText: t('StatusText'),
      };
      return el.name === 'DeliveryReportReq'
        ? compact({ kind: 'DeliveryReportReq', ...common, date: required(el, 'Date') })
        : compact({ kind: 'ReadReplyReq', ...common, timeStamp: required(el, 'TimeStamp') });
    }
    case 'DeliveryReportRsp':
    case 'ReadReplyRsp':
      return { kind: el.name, ...head, status: status(el) };
    default:
      throw new Mm7ParseError(
        'HERMOD_ERR_MM7_UNKNOWN_MESSAGE',
        `MM7: ${el.name} is not a message Hermod handles`,
        Mm7Status.UNSUPPORTED_OPERATION,
      );
  }
}

/** A SOAP Fault: its RSErrorRsp/VASPErrorRsp, or (a bare Fault) 2000/3000 by its faultcode. */
function fault(el: XmlElement, transactionId: string): { message: ErrorRsp; payload?: XmlElement } {
  const rawCode = childText(el, 'faultcode') ?? 'Server';
  const faultCode = rawCode.slice(rawCode.indexOf(':') + 1).startsWith('Client') ? 'Client' : 'Server';
  const faultString = childText(el, 'faultstring') ?? '';
  const payload = child(el, 'detail')?.children.find(
    (c) => c.name === 'RSErrorRsp' || c.name === 'VASPErrorRsp',
  );
  if (!payload) {
    const code = faultCode === 'Client' ? Mm7Status.CLIENT_ERROR : Mm7Status.SERVER_ERROR;
    return {
      message: {
        kind: 'RSErrorRsp',
        transactionId,
        version: '',
        status: { code, text: faultString },
        faultCode,
        faultString,
      },
    };
  }
  const message: ErrorRsp = {
    kind: payload.name as ErrorRsp['kind'],
    transactionId,
    version: childText(payload, 'MM7Version') ?? '',
    status: status(payload),
    faultCode,
    faultString,
  };
  return { message, payload };
}

function checkNamespace(el: XmlElement): void {
  if (el.ns !== undefined && !isMm7Namespace(el.ns))
    // A foreign schema is a version we do not speak: 4002 (Unsupported version).
    throw new Mm7ParseError(
      'HERMOD_ERR_MM7_NAMESPACE',
      `MM7: ${el.name} is in the namespace ${el.ns}, not an MM7 schema's`,
      Mm7Status.UNSUPPORTED_VERSION,
    );
}

/** Parses the SOAP part's XML. Throws Mm7ParseError. */
export function parseSoap(xml: string): ParsedSoap {
  const env = parseXml(xml);
  if (env.name !== 'Envelope' || env.ns !== SOAP_ENV)
    throw new Mm7ParseError(
      'HERMOD_ERR_MM7_NOT_SOAP',
      `MM7: the root element is ${env.name}${env.ns ? ` in ${env.ns}` : ''}, not a SOAP 1.1 Envelope`,
      Mm7Status.FORMAT_CORRUPT,
    );
  const tid = child(env, 'Header') && child(child(env, 'Header')!, 'TransactionID');
  if (!tid || tid.text === '') throw parseError.missing('TransactionID', 'the SOAP Header');
  checkNamespace(tid);
  const body = child(env, 'Body');
  const el = body?.children[0];
  if (!el) throw parseError.missing('a message', 'the SOAP Body');
  if (el.name === 'Fault' && el.ns === SOAP_ENV) {
    const { message, payload } = fault(el, tid.text);
    if (payload) checkNamespace(payload);
    return { message, namespace: payload?.ns ?? tid.ns, contentHref: undefined };
  }
  checkNamespace(el);
  return {
    message: message(el, tid.text),
    namespace: el.ns ?? tid.ns,
    contentHref: child(el, 'Content')?.attrs.href,
  };
}
