/**
 * XML for MM7: a parser into a small namespace-resolved element tree (fast-xml-parser does
 * the tokenising), and a writer for the element trees the encoders build.
 *
 * SOAP 1.1 §3: "A SOAP message MUST NOT contain a Document Type Declaration", so a DOCTYPE is
 * refused before parsing; without one, no entity can be declared, so no entity expansion (the
 * "billion laughs") can happen. The parser's own entity handling is off; the five predefined
 * entities and character references are decoded here, in one pass.
 */
import { XMLParser } from 'fast-xml-parser';
import { Mm7ParseError, parseError } from './errors.js';
import { Mm7Status } from './status.js';

export interface XmlElement {
  /** Local name (the prefix removed). */
  readonly name: string;
  /** Namespace URI, resolved from the xmlns declarations in scope; undefined when none. */
  readonly ns: string | undefined;
  /** Attributes by local name (xmlns declarations left out). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (CDATA included), trimmed. */
  readonly text: string;
}

/** Past this depth a document is not MM7 (the deepest MM7 path is about 8 levels). */
const MAX_DEPTH = 32;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  maxNestedTags: MAX_DEPTH,
});

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references (XML 1.0 §4.1, §4.6). */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') {
      const ch = PREDEFINED[ref];
      if (ch === undefined) throw parseError.xml(`undeclared entity ${whole}`);
      return ch;
    }
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (!(cp > 0 && cp <= 0x10ffff)) throw parseError.xml(`bad character reference ${whole}`);
    return String.fromCodePoint(cp);
  });
}

type Raw = Record<string, unknown>;

/** Parses an XML document into its root element. Throws Mm7ParseError (status 2007 or 4004). */
export function parseXml(xml: string): XmlElement {
  if (/<!DOCTYPE/i.test(xml))
    throw new Mm7ParseError(
      'HERMOD_ERR_MM7_DOCTYPE',
      'MM7: a SOAP message may not carry a document type declaration (SOAP 1.1 §3)',
      Mm7Status.FORMAT_CORRUPT,
    );
  let nodes: Raw[];
  try {
    nodes = parser.parse(xml, true) as Raw[];
  } catch (err) {
    throw parseError.xml((err as Error).message, err);
  }
  const roots = nodes.filter((n) => !('#text' in n));
  if (roots.length !== 1) throw parseError.xml(`${roots.length} root elements`);
  return toElement(roots[0], new Map(), 0);
}

function toElement(raw: Raw, scope: ReadonlyMap<string, string>, depth: number): XmlElement {
  if (depth > MAX_DEPTH) throw parseError.xml('nested too deep');
  const qname = Object.keys(raw).find((k) => k !== ':@');
  if (qname === undefined) throw parseError.xml('an empty node');
  const rawAttrs = (raw[':@'] ?? {}) as Record<string, string>;
  let inScope = scope;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    const value = decodeEntities(String(v));
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (inScope === scope) inScope = new Map(scope);
      (inScope as Map<string, string>).set(k === 'xmlns' ? '' : k.slice(6), value);
    } else attrs[localName(k)] = value;
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const ns = inScope.get(prefix) || undefined;
  if (prefix !== '' && ns === undefined) throw parseError.xml(`undeclared prefix ${prefix}:`);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of raw[qname] as Raw[]) {
    if ('#text' in child) text += decodeEntities(String(child['#text']));
    else if ('#cdata' in child)
      text += (child['#cdata'] as Raw[]).map((c) => String(c['#text'] ?? '')).join('');
    else children.push(toElement(child, inScope, depth + 1));
  }
  return { name: qname.slice(colon + 1), ns, attrs, children, text: text.trim() };
}

function localName(qname: string): string {
  return qname.slice(qname.indexOf(':') + 1);
}

/** The first child element with this local name (any namespace: peers mix them). */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function childText(el: XmlElement, name: string): string | undefined {
  return child(el, name)?.text;
}

// ---- writing ----

/** An element to write: a name (with its prefix), attributes, and children or text. */
export interface XmlNode {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string | undefined>>;
  readonly children?: readonly (XmlNode | undefined)[];
  readonly text?: string;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/** Writes a node and its children, one element per line (indented, so logs read well). */
export function renderXml(node: XmlNode, indent = ''): string {
  const attrs = Object.entries(node.attrs ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const kids = (node.children ?? []).filter((c): c is XmlNode => c !== undefined);
  if (kids.length > 0) {
    const inner = kids.map((c) => renderXml(c, indent + ' ')).join('');
    return `${indent}<${node.name}${attrs}>\n${inner}${indent}</${node.name}>\n`;
  }
  if (node.text === undefined || node.text === '') return `${indent}<${node.name}${attrs}/>\n`;
  return `${indent}<${node.name}${attrs}>${escapeXml(node.text)}</${node.name}>\n`;
}

/** A leaf element, or nothing when the value is absent (optional elements). */
export function leaf(name: string, value: string | number | boolean | undefined): XmlNode | undefined {
  return value === undefined ? undefined : { name, text: String(value) };
}
