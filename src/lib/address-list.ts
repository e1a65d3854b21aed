/**
 * Lists of IP addresses and CIDR ranges ("203.0.113.7", "10.0.0.0/8", "2001:db8::/32"), as
 * operators write them for allow lists (webhooks.allow, settings.access.allowFrom, the PROXY
 * protocol's trusted balancers), matched the way sockets and URLs report peers.
 */
import { BlockList, isIP } from 'node:net';

/** Whether `s` is one address or one CIDR range (prefix length within the family's bits). */
export function isAddressOrCidr(s: string): boolean {
  const [addr, bits, extra] = s.split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
}

/**
 * An address as IPv4 when it is IPv4-mapped IPv6: `::ffff:10.0.0.1` (a dual-stack socket's
 * peer) and `::ffff:a00:1` (how the URL parser writes `[::ffff:10.0.0.1]`) are 10.0.0.1.
 */
export function unmap(ip: string): { ip: string; family: 'ipv4' | 'ipv6' } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return { ip: m[1], family: 'ipv4' };
  const h = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (h) {
    const hi = parseInt(h[1], 16);
    const lo = parseInt(h[2], 16);
    return { ip: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { ip, family: isIP(ip) === 6 ? 'ipv6' : 'ipv4' };
}

export class AddressList {
  private readonly list = new BlockList();

  /** `entries` must each be an address or a CIDR range (see isAddressOrCidr). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [addr, bits] = entry.split('/');
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(bits), type);
    }
  }

  /** Whether `address` is in the list (false for undefined: an unknown peer is in no list). */
  has(address: string | undefined): boolean {
    if (address === undefined) return false;
    const { ip, family } = unmap(address);
    return this.list.check(ip, family);
  }
}
