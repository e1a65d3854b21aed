/**
 * Message values → the SOAP envelope (3GPP TS 23.140 annex: the MM7 SOAP binding). The
 * message element declares the MM7 namespace as its default, so its children are qualified
 * without prefixes (the annex's examples; Mbuni, Nokia and Huawei relays write it so), and
 * children go in the schema's order, which strict relays validate.
 */
import { MM7_NAMESPACES, SOAP_ENV } from './namespaces.js';
import { leaf, renderXml, type XmlNode } from './xml.js';
import type {
  DeliverReq,
  DeliveryReportReq,
  ErrorRsp,
  Mm7Address,
  Mm7Message,
  Mm7StatusValue,
  ReadReplyReq,
  Recipients,
  SubmitReq,
} from './types.js';

export interface EncodeSoapOptions {
  /** The MM7 namespace URI (default REL-6-MM7-1-4). */
  namespace?: string;
  /** `href` of the Content element, when the message carries content (`cid:…`). */
  contentHref?: string;
}

const ADDRESS_ELEMENT = { number: 'Number', shortCode: 'ShortCode', email: 'RFC2822Address' } as const;

function address(name: string, a: Mm7Address | undefined): XmlNode | undefined {
  return a && { name, children: [{ name: ADDRESS_ELEMENT[a.kind], text: a.value }] };
}

function addressList(name: string, list: readonly Mm7Address[] | undefined): XmlNode | undefined {
  if (!list || list.length === 0) return undefined;
  return { name, children: list.map((a) => ({ name: ADDRESS_ELEMENT[a.kind], text: a.value })) };
}

function recipients(r: Recipients | undefined): XmlNode | undefined {
  return (
    r && {
      name: 'Recipients',
      children: [addressList('To', r.to), addressList('Cc', r.cc), addressList('Bcc', r.bcc)],
    }
  );
}

function status(s: Mm7StatusValue): XmlNode {
  return {
    name: 'Status',
    children: [leaf('StatusCode', s.code), leaf('StatusText', s.text), leaf('Details', s.details)],
  };
}

function content(href: string | undefined): XmlNode | undefined {
  return href === undefined ? undefined : { name: 'Content', attrs: { href } };
}

function submitReq(m: SubmitReq, href: string | undefined): XmlNode[] {
  const ident =
    m.vaspId !== undefined || m.vasId !== undefined || m.sender !== undefined
      ? {
          name: 'SenderIdentification',
          children: [leaf('VASPID', m.vaspId), leaf('VASID', m.vasId), address('SenderAddress', m.sender)],
        }
      : undefined;
  return [
    ident,
    recipients(m.recipients),
    leaf('ServiceCode', m.serviceCode),
    leaf('LinkedID', m.linkedId),
    leaf('MessageClass', m.messageClass),
    leaf('TimeStamp', m.timeStamp),
    leaf('EarliestDeliveryTime', m.earliestDeliveryTime),
    leaf('ExpiryDate', m.expiryDate),
    leaf('DeliveryReport', m.deliveryReport),
    leaf('ReadReply', m.readReply),
    leaf('Priority', m.priority),
    leaf('Subject', m.subject),
    leaf('DistributionIndicator', m.distributionIndicator),
    content(href),
  ].filter((n): n is XmlNode => n !== undefined);
}

function deliverReq(m: DeliverReq, href: string | undefined): (XmlNode | undefined)[] {
  return [
    leaf('MMSRelayServerID', m.mmsRelayServerId),
    leaf('VASPID', m.vaspId),
    leaf('VASID', m.vasId),
    leaf('LinkedID', m.linkedId),
    address('Sender', m.sender),
    recipients(m.recipients),
    leaf('TimeStamp', m.timeStamp),
    leaf('ReplyChargingID', m.replyChargingId),
    leaf('Priority', m.priority),
    leaf('Subject', m.subject),
    content(href),
  ];
}

function report(m: DeliveryReportReq | ReadReplyReq): (XmlNode | undefined)[] {
  return [
    leaf('MMSRelayServerID', m.mmsRelayServerId),
    leaf('MessageID', m.messageId),
    address('Recipient', m.recipient),
    address('Sender', m.sender),
    m.kind === 'DeliveryReportReq' ? leaf('Date', m.date) : leaf('TimeStamp', m.timeStamp),
    leaf('MMStatus', m.mmStatus),
    leaf('StatusText', m.statusText),
  ];
}

/** The children of the message element after MM7Version. */
function body(m: Exclude<Mm7Message, ErrorRsp>, href: string | undefined): (XmlNode | undefined)[] {
  switch (m.kind) {
    case 'SubmitReq':
      return submitReq(m, href);
    case 'SubmitRsp':
      return [status(m.status), leaf('MessageID', m.messageId)];
    case 'DeliverReq':
      return deliverReq(m, href);
    case 'DeliverRsp':
      return [status(m.status), leaf('ServiceCode', m.serviceCode)];
    case 'DeliveryReportReq':
    case 'ReadReplyReq':
      return report(m);
    case 'DeliveryReportRsp':
    case 'ReadReplyRsp':
      return [status(m.status)];
  }
}

function isErrorRsp(m: Mm7Message): m is ErrorRsp {
  return m.kind === 'RSErrorRsp' || m.kind === 'VASPErrorRsp';
}

/** The SOAP envelope of a message, as the XML text of the SOAP part. */
export function encodeSoap(m: Mm7Message, opts: EncodeSoapOptions = {}): string {
  const ns = opts.namespace ?? MM7_NAMESPACES['REL-6-MM7-1-4'].uri;
  const version = leaf('MM7Version', m.version);
  let payload: XmlNode;
  if (isErrorRsp(m)) {
    // SOAP 1.1 §4.4: an error travels as a Fault; MM7 puts its ErrorRsp in the Fault's detail.
    payload = {
      name: 'env:Fault',
      children: [
        leaf('faultcode', `env:${m.faultCode}`),
        leaf('faultstring', m.faultString),
        {
          name: 'detail',
          children: [{ name: m.kind, attrs: { xmlns: ns }, children: [version, status(m.status)] }],
        },
      ],
    };
  } else {
    payload = { name: m.kind, attrs: { xmlns: ns }, children: [version, ...body(m, opts.contentHref)] };
  }
  const envelope: XmlNode = {
    name: 'env:Envelope',
    attrs: { 'xmlns:env': SOAP_ENV },
    children: [
      {
        name: 'env:Header',
        children: [
          {
            name: 'mm7:TransactionID',
            attrs: { 'xmlns:mm7': ns, 'env:mustUnderstand': '1' },
            text: m.transactionId,
          },
        ],
      },
      { name: 'env:Body', children: [payload] },
    ],
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderXml(envelope)}`;
}
