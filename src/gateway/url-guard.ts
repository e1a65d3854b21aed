/**
 * SSRF guard for every URL Hermod calls on a customer's behalf (Jasmin dlr-url, REST
 * callback URLs, MO webhook URLs): docs/security.md. Loopback, private, link-local
 * (cloud metadata at 169.254.169.254), unspecified, carrier-grade NAT, multicast,
 * IPv6 unique-local and site-local addresses, IPv4-compatible IPv6, and NAT64 or 6to4
 * addresses embedding a refused IPv4 address are refused, whether written literally or reached through
 * a DNS name, unless the operator allows them. The check runs when the URL is given
 * (`check`) and again on the address actually connected to (`lookup`, for node:http),
 * so a name that rebinds to a private address between the two is still refused.
 */
import { BlockList, isIP } from 'node:net';
import { AddressList, unmap } from '../lib/address-list.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { HermodError } from '../lib/errors.js';

export interface UrlGuardOptions {
  /** Allow every address (operator's choice, e.g. receivers on a private network). */
  allowPrivateNetworks?: boolean;
  /** CIDRs ("10.1.0.0/16", "::1/128"), addresses or host names that are allowed anyway. */
  allow?: readonly string[];
}

/**
 * `text` with the query string of every URL in it replaced by `[redacted]`: a callback URL
 * often carries the receiver's token, and refusals and dropped webhooks are logged.
 */
export function redactQuery(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#"]*)\?[^\s#"]*/gi, '$1?[redacted]');
}

export class RefusedUrlError extends HermodError {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    // The message is what gets logged: the URL without its query string.
    super('HERMOD_ERR_URL_REFUSED', `${redactQuery(url)} refused: ${reason}`);
  }
}

const BLOCKED_V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const BLOCKED_V6: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  // ::a.b.c.d: IPv4-compatible (RFC 4291 §2.5.5.1, deprecated; no legitimate receiver has one).
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated, RFC 3879)'],
  ['ff00::', 8, 'multicast'],
];

/**
 * IPv6 forms that carry an IPv4 address the network may route to it (issue 13 item 13):
 * the embedded address is checked as IPv4. `::ffff:a.b.c.d` (mapped) is unmapped before;
 * IPv4-compatible `::a.b.c.d` is refused whole (BLOCKED_V6).
 */
function embeddedV4(ip: string): { v4: string; form: string } | undefined {
  const w = ipv6Words(ip);
  if (!w) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  // 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052), and 64:ff9b:1::/48 (RFC 8215).
  if (w[0] === 0x64 && w[1] === 0xff9b && (w[2] === 1 || w.slice(2, 6).every((x) => x === 0)))
    return { v4: v4(w[6], w[7]), form: 'NAT64' };
  // 2002::/16, 6to4 (RFC 3056): the IPv4 address is the next 32 bits.
  if (w[0] === 0x2002) return { v4: v4(w[1], w[2]), form: '6to4' };
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (with an embedded dotted IPv4 tail), or undefined. */
function ipv6Words(ip: string): number[] | undefined {
  if (isIP(ip) !== 6) return undefined;
  let s = ip.split('%')[0];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const words = [...h, ...fill, ...t].map((x) => parseInt(x, 16));
  return words.length === 8 && words.every((x) => x >= 0 && x <= 0xffff) ? words : undefined;
}

const BLOCKED = [
  ...BLOCKED_V4.map((b) => [...b, 'ipv4'] as const),
  ...BLOCKED_V6.map((b) => [...b, 'ipv6'] as const),
].map(([net, bits, what, family]) => {
  const list = new BlockList();
  list.addSubnet(net, bits, family);
  return { list, family, label: `${what} address space (${net}/${bits})` };
});

export class UrlGuard {
  private readonly allowAll: boolean;
  private readonly allowedNets: AddressList;
  private readonly allowedHosts = new Set<string>();

  /** What it was made with (a webhook delivery worker makes its own copy from these). */
  readonly options: UrlGuardOptions;

  constructor(opts: UrlGuardOptions = {}) {
    this.options = { ...opts, ...(opts.allow ? { allow: [...opts.allow] } : {}) };
    this.allowAll = opts.allowPrivateNetworks ?? false;
    const allow = opts.allow ?? [];
    // Entries that are not an address (or a CIDR range of one) are host names.
    for (const a of allow) if (isIP(a.split('/')[0]) === 0) this.allowedHosts.add(a.toLowerCase());
    this.allowedNets = new AddressList(allow.filter((a) => isIP(a.split('/')[0]) !== 0));
  }

  /** Why an address may not be called, or undefined when it may. */
  addressProblem(address: string): string | undefined {
    if (this.allowAll) return undefined;
    if (this.allowedNets.has(address)) return undefined;
    const { ip, family } = unmap(address);
    const hit = BLOCKED.find((b) => b.family === family && b.list.check(ip, family));
    if (hit) return `${ip} is in ${hit.label}`;
    const inner = family === 'ipv6' ? embeddedV4(ip) : undefined;
    if (!inner) return undefined;
    const v4 = BLOCKED.find((b) => b.family === 'ipv4' && b.list.check(inner.v4, 'ipv4'));
    return v4 && `${ip} is ${inner.form} for ${inner.v4}, in ${v4.label}`;
  }

  /** Scheme and literal-address checks; returns the parsed URL. Throws RefusedUrlError. */
  parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new RefusedUrlError(raw, 'not a valid absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new RefusedUrlError(raw, `scheme ${url.protocol} is not http or https`);
    if (url.username || url.password)
      throw new RefusedUrlError(raw, 'credentials in the URL are not allowed');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const problem = this.addressProblem(host);
      if (problem)
        throw new RefusedUrlError(
          raw,
          `${problem}; allow it with webhooks.allowPrivateNetworks or webhooks.allow`,
        );
    }
    return url;
  }

  private hostAllowed(host: string): boolean {
    return this.allowAll || this.allowedHosts.has(host.toLowerCase());
  }

  /**
   * The full check: the URL's form, then every address its host name resolves to. A name
   * that does not resolve now is accepted (DNS may be briefly down or the name new): the
   * delivery-time `lookup` refuses it if it later resolves to a private address.
   */
  async check(raw: string): Promise<URL> {
    const url = this.parse(raw);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) || this.hostAllowed(host)) return url;
    let addrs: LookupAddress[];
    try {
      addrs = await new Promise<LookupAddress[]>((resolve, reject) =>
        dnsLookup(host, { all: true }, (err, a) => (err ? reject(err) : resolve(a))),
      );
    } catch {
      return url;
    }
    for (const a of addrs) {
      const problem = this.addressProblem(a.address);
      if (problem)
        throw new RefusedUrlError(
          raw,
          `${host} resolves to ${problem}; allow it with webhooks.allowPrivateNetworks or webhooks.allow`,
        );
    }
    return url;
  }

  /**
   * A `lookup` for node:http / node:https that refuses private answers: the address
   * checked is the address connected to (no DNS-rebinding window).
   */
  readonly lookup = (
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addrs) => {
      if (err) return callback(err, []);
      if (!this.hostAllowed(hostname)) {
        for (const a of addrs) {
          const problem = this.addressProblem(a.address);
          if (problem)
            return callback(
              Object.assign(new RefusedUrlError(hostname, `${hostname} resolves to ${problem}`), {
                errno: undefined,
              }) as NodeJS.ErrnoException,
              [],
            );
        }
      }
      if ((options as { all?: boolean }).all) callback(null, addrs);
      else callback(null, addrs[0].address, addrs[0].family);
    });
  };
}

/**
 * URLs that passed the guard recently. A bulk sender gives the same callback URL with every
 * message, and the check of a host name is a DNS lookup: remembering a success for a few
 * seconds spares one per request. The protection does not rest on it: the webhook sender
 * checks the address it actually connects to. Refusals are never remembered.
 */
export class CheckedUrls {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly guard: UrlGuard,
    private readonly ttlMs = 10_000,
    private readonly max = 10_000,
  ) {}

  /** Resolves when the URL may be called; throws RefusedUrlError otherwise. */
  async check(url: string): Promise<void> {
    const now = Date.now();
    if ((this.until.get(url) ?? 0) > now) return;
    await this.guard.check(url);
    if (this.until.size >= this.max) this.until.clear();
    this.until.set(url, now + this.ttlMs);
  }
}
