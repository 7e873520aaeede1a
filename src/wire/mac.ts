/**
 * MAC addresses: parse the notations people paste (colon, dash, Cisco dotted, bare hex),
 * format them back, and classify them. A MAC is held either as 6 bytes or, where it is used as
 * a table key on the hot path, as a 48-bit integer in a plain number (exact in a double), so that
 * lookups allocate nothing.
 */

export type MacNotation = 'colon' | 'dash' | 'cisco';

const COLON = /^([0-9a-f]{1,2})[:]([0-9a-f]{1,2})[:]([0-9a-f]{1,2})[:]([0-9a-f]{1,2})[:]([0-9a-f]{1,2})[:]([0-9a-f]{1,2})$/i;
const DASH = /^([0-9a-f]{2})-([0-9a-f]{2})-([0-9a-f]{2})-([0-9a-f]{2})-([0-9a-f]{2})-([0-9a-f]{2})$/i;
const CISCO = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;
const BARE = /^[0-9a-f]{12}$/i;

export const BROADCAST_MAC = 0xffff_ffff_ffff;

/** Parses `00:50:56:aa:00:01`, `00-50-56-AA-00-01`, `0050.56aa.0001` or `005056aa0001`; null when it is none of them. */
export function parseMac(text: string): Uint8Array | null {
  const t = text.trim();
  let hex: string;
  let m: RegExpExecArray | null;
  if ((m = COLON.exec(t))) hex = m.slice(1).map((p) => p.padStart(2, '0')).join('');
  else if ((m = DASH.exec(t))) hex = m.slice(1).join('');
  else if ((m = CISCO.exec(t))) hex = m.slice(1).join('');
  else if (BARE.test(t)) hex = t;
  else return null;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Why `text` is not a MAC address, or null when it is one. */
export function macError(text: string): string | null {
  return parseMac(text)
    ? null
    : `"${text}" is not a MAC address (use 00:50:56:aa:00:01, 00-50-56-aa-00-01 or 0050.56aa.0001)`;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats 6 bytes starting at `offset` in the chosen notation (lower case; colon by default). */
export function formatMac(bytes: Uint8Array, offset = 0, notation: MacNotation = 'colon'): string {
  // no inner function: the loader (tsx, keepNames) wraps every closure made per call in a name-setting call
  const h0 = HEX[bytes[offset]!]!;
  const h1 = HEX[bytes[offset + 1]!]!;
  const h2 = HEX[bytes[offset + 2]!]!;
  const h3 = HEX[bytes[offset + 3]!]!;
  const h4 = HEX[bytes[offset + 4]!]!;
  const h5 = HEX[bytes[offset + 5]!]!;
  switch (notation) {
    case 'colon':
      return `${h0}:${h1}:${h2}:${h3}:${h4}:${h5}`;
    case 'dash':
      return `${h0}-${h1}-${h2}-${h3}-${h4}-${h5}`;
    case 'cisco':
      return `${h0}${h1}.${h2}${h3}.${h4}${h5}`;
  }
}

/** Normalises any accepted notation to colon form; null when not a MAC. */
export function normalizeMac(text: string): string | null {
  const b = parseMac(text);
  return b ? formatMac(b) : null;
}

/** The 48-bit integer value of the MAC at `offset` (no allocation). */
export function macToNumber(bytes: Uint8Array, offset = 0): number {
  return (
    (bytes[offset]! * 0x100 + bytes[offset + 1]!) * 0x1_0000_0000 +
    ((bytes[offset + 2]! << 24) >>> 0) +
    (bytes[offset + 3]! << 16) +
    (bytes[offset + 4]! << 8) +
    bytes[offset + 5]!
  );
}

/** The first three octets of the MAC at `offset` as a 24-bit number (half of a split key; no allocation). */
export function macHigh24(bytes: Uint8Array, offset = 0): number {
  return (bytes[offset]! << 16) | (bytes[offset + 1]! << 8) | bytes[offset + 2]!;
}

/** The last three octets of the MAC at `offset` as a 24-bit number. */
export function macLow24(bytes: Uint8Array, offset = 0): number {
  return (bytes[offset + 3]! << 16) | (bytes[offset + 4]! << 8) | bytes[offset + 5]!;
}

/** Writes a 48-bit integer MAC into `out` at `offset`. */
export function numberToMacBytes(value: number, out: Uint8Array = new Uint8Array(6), offset = 0): Uint8Array {
  const hi = Math.floor(value / 0x1_0000_0000);
  const lo = value >>> 0;
  out[offset] = (hi >>> 8) & 0xff;
  out[offset + 1] = hi & 0xff;
  out[offset + 2] = lo >>> 24;
  out[offset + 3] = (lo >>> 16) & 0xff;
  out[offset + 4] = (lo >>> 8) & 0xff;
  out[offset + 5] = lo & 0xff;
  return out;
}

export function macNumberToString(value: number): string {
  return formatMac(numberToMacBytes(value));
}

/** ff:ff:ff:ff:ff:ff */
export function isBroadcast(bytes: Uint8Array, offset = 0): boolean {
  for (let i = 0; i < 6; i++) if (bytes[offset + i] !== 0xff) return false;
  return true;
}

/** Group bit (I/G) set: multicast, broadcast included. */
export function isMulticast(bytes: Uint8Array, offset = 0): boolean {
  return (bytes[offset]! & 0x01) === 0x01;
}

/** U/L bit set: a locally administered address. */
export function isLocallyAdministered(bytes: Uint8Array, offset = 0): boolean {
  return (bytes[offset]! & 0x02) === 0x02;
}

/** VMware's OUI for generated/static vNIC MACs. */
export const VMWARE_OUI = [0x00, 0x50, 0x56] as const;
