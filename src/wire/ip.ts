/**
 * IPv4 / IPv6 addresses and prefixes, parsed by the ip-address package. IPv4 addresses travel
 * through the engine as unsigned 32-bit numbers (cheap to compare and hash); IPv6 as 16 bytes.
 */
import { Address4, Address6 } from 'ip-address';

export interface Ipv4Cidr {
  /** address as an unsigned 32-bit integer */
  address: number;
  prefix: number;
  /** canonical text of the address, without prefix */
  text: string;
}

export interface Ipv6Cidr {
  address: Uint8Array;
  prefix: number;
  text: string;
}

const V4_STRICT = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses `10.0.0.5` or `10.0.0.5/24`; a bare address gets `defaultPrefix`. Null when invalid. */
export function parseIpv4Cidr(text: string, defaultPrefix = 32): Ipv4Cidr | null {
  const t = text.trim();
  const [addr, prefixText, extra] = t.split('/');
  if (extra !== undefined || addr === undefined || !V4_STRICT.test(addr)) return null;
  let prefix = defaultPrefix;
  if (prefixText !== undefined) {
    if (!/^\d{1,2}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > 32) return null;
  }
  if (!Address4.isValid(addr)) return null;
  const a = new Address4(addr);
  return { address: Number(a.bigInt()), prefix, text: a.correctForm() };
}

/** Parses `2001:db8::5` or `2001:db8::5/64`; a bare address gets `defaultPrefix`. Null when invalid. */
export function parseIpv6Cidr(text: string, defaultPrefix = 128): Ipv6Cidr | null {
  const t = text.trim();
  const [addr, prefixText, extra] = t.split('/');
  if (extra !== undefined || addr === undefined || addr.includes('%')) return null;
  let prefix = defaultPrefix;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > 128) return null;
  }
  if (!Address6.isValid(addr)) return null;
  const a = new Address6(addr);
  const bytes = Uint8Array.from(a.toUnsignedByteArray().slice(-16));
  const address = new Uint8Array(16);
  address.set(bytes, 16 - bytes.length);
  return { address, prefix, text: a.correctForm() };
}

export function ipv4Error(text: string, requirePrefix = false): string | null {
  if (requirePrefix && !text.includes('/')) return `"${text}" needs a prefix length, like 10.0.0.5/24`;
  return parseIpv4Cidr(text) ? null : `"${text}" is not an IPv4 address${requirePrefix ? ' with prefix (10.0.0.5/24)' : ''}`;
}

export function ipv6Error(text: string, requirePrefix = false): string | null {
  if (requirePrefix && !text.includes('/')) return `"${text}" needs a prefix length, like 2001:db8::5/64`;
  return parseIpv6Cidr(text) ? null : `"${text}" is not an IPv6 address${requirePrefix ? ' with prefix (2001:db8::5/64)' : ''}`;
}

export function ipv4ToString(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
}

/** True when `a` and `b` fall in the same /prefix network. */
export function sameSubnet4(a: number, b: number, prefix: number): boolean {
  const m = prefixMask(prefix);
  return ((a & m) >>> 0) === ((b & m) >>> 0);
}

export function ipv6ToString(bytes: Uint8Array, offset = 0): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[offset + i]! << 8) | bytes[offset + i + 1]!).toString(16));
  return new Address6(groups.join(':')).correctForm();
}

/** True when `address` (text or uint32) lies in `cidr` (`10.0.0.0/24`); false when either is invalid. */
export function ipv4InSubnet(address: string | number, cidr: string): boolean {
  const text = typeof address === 'number' ? ipv4ToString(address) : address.trim();
  if (!parseIpv4Cidr(text) || !parseIpv4Cidr(cidr)) return false;
  return new Address4(text).isInSubnet(new Address4(cidr.trim()));
}

/** True when `address` (text or 16 bytes) lies in `cidr` (`2001:db8::/64`); false when either is invalid. */
export function ipv6InSubnet(address: string | Uint8Array, cidr: string): boolean {
  const text = typeof address === 'string' ? address.trim() : ipv6ToString(address);
  if (!parseIpv6Cidr(text) || !parseIpv6Cidr(cidr)) return false;
  return new Address6(text).isInSubnet(new Address6(cidr.trim()));
}

/** True when the 16-byte addresses `a` and `b` share the first `prefix` bits. */
export function sameSubnet6(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}
