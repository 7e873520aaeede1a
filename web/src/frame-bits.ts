/**
 * What the event list and the packet tokens show about a frame from its hex stream alone: its
 * tag stack (untagged / VLAN 10 / QinQ 100/10) and its protocol for the filter. Only the first
 * bytes are read; full decoding is the server's (POST /api/decode, src/wire/decode.ts).
 */

function byteAt(hex: string, i: number): number {
  return parseInt(hex.substr(i * 2, 2), 16);
}

function u16(hex: string, i: number): number {
  return (byteAt(hex, i) << 8) | byteAt(hex, i + 1);
}

const TPIDS = new Set([0x8100, 0x88a8, 0x9100]);

export interface TagInfo {
  /** outermost first: VLAN ID and PCP of each tag */
  tags: Array<{ tpid: number; vid: number; pcp: number }>;
  /** ethertype after the tags (or the 802.3 length) */
  ethertype: number;
  /** byte offset of the payload */
  payloadOffset: number;
}

export function tagInfo(hex: string): TagInfo | null {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length < 28) return null;
  const tags: TagInfo['tags'] = [];
  let off = 12;
  let type = u16(clean, off);
  while (TPIDS.has(type) && clean.length >= (off + 6) * 2 && tags.length < 4) {
    const tci = u16(clean, off + 2);
    tags.push({ tpid: type, vid: tci & 0x0fff, pcp: tci >> 13 });
    off += 4;
    type = u16(clean, off);
  }
  return { tags, ethertype: type, payloadOffset: off + 2 };
}

/** `untagged`, `VLAN 10`, `VLAN 10 PCP 5`, `QinQ 100/10`, `priority-tagged PCP 5`. */
export function tagLabel(hex: string | undefined): string | null {
  if (!hex) return null;
  const t = tagInfo(hex);
  if (!t) return null;
  if (t.tags.length === 0) return 'untagged';
  if (t.tags.length >= 2) return `QinQ ${t.tags.map((x) => x.vid).join('/')}`;
  const tag = t.tags[0]!;
  if (tag.vid === 0) return `priority-tagged PCP ${tag.pcp}`;
  return `VLAN ${tag.vid}${tag.pcp ? ` PCP ${tag.pcp}` : ''}`;
}

/** Protocol for the event filter: ARP, RARP, ICMP, UDP, TCP, IPv4, IPv6, LLDP, CDP, other. */
export function protocolOf(hex: string | undefined): string | null {
  if (!hex) return null;
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  const t = tagInfo(clean);
  if (!t) return 'other';
  switch (t.ethertype) {
    case 0x0806:
      return 'ARP';
    case 0x8035:
      return 'RARP';
    case 0x88cc:
      return 'LLDP';
    case 0x86dd: {
      const next = clean.length >= (t.payloadOffset + 7) * 2 ? byteAt(clean, t.payloadOffset + 6) : -1;
      return next === 58 ? 'ICMPv6' : next === 17 ? 'UDP' : next === 6 ? 'TCP' : 'IPv6';
    }
    case 0x0800: {
      if (clean.length < (t.payloadOffset + 10) * 2) return 'IPv4';
      const proto = byteAt(clean, t.payloadOffset + 9);
      return proto === 1 ? 'ICMP' : proto === 17 ? 'UDP' : proto === 6 ? 'TCP' : 'IPv4';
    }
    default:
      // 802.3 with LLC/SNAP: CDP is SNAP 00000c 2000
      if (t.ethertype <= 1500 && clean.slice((t.payloadOffset + 3) * 2, (t.payloadOffset + 8) * 2).toLowerCase() === '00000c2000') return 'CDP';
      return 'other';
  }
}

export const PROTOCOLS = ['ARP', 'ICMP', 'UDP', 'TCP', 'IPv4', 'IPv6', 'ICMPv6', 'RARP', 'LLDP', 'CDP', 'other'] as const;

function ipAt(hex: string, i: number): string {
  return [0, 1, 2, 3].map((k) => byteAt(hex, i + k)).join('.');
}

/**
 * A short type for the event list, Packet Tracer's "Type" column: `ARP request`, `ARP reply`,
 * `ICMP echo request`, `ICMP echo reply`, `UDP 5353`, ... (the server's decoder gives the rest).
 */
export function frameType(hex: string | undefined): string | null {
  if (!hex) return null;
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  const t = tagInfo(clean);
  if (!t) return null;
  const p = t.payloadOffset;
  const have = (n: number): boolean => clean.length >= (p + n) * 2;
  switch (protocolOf(clean)) {
    case 'ARP': {
      if (!have(28)) return 'ARP';
      const op = u16(clean, p + 6);
      const target = ipAt(clean, p + 24);
      const sender = ipAt(clean, p + 14);
      if (op === 1) return sender === target ? `ARP gratuitous ${sender}` : `ARP request ${target}?`;
      if (op === 2) return `ARP reply ${sender}`;
      return `ARP op ${op}`;
    }
    case 'RARP':
      return 'RARP';
    case 'ICMP': {
      const ihl = (byteAt(clean, p) & 0x0f) * 4;
      if (!have(ihl + 1)) return 'ICMP';
      const type = byteAt(clean, p + ihl);
      const names: Record<number, string> = { 0: 'ICMP echo reply', 8: 'ICMP echo request', 3: 'ICMP unreachable', 11: 'ICMP time exceeded' };
      return names[type] ?? `ICMP type ${type}`;
    }
    case 'UDP': {
      if (t.ethertype !== 0x0800) return 'UDP';
      const ihl = (byteAt(clean, p) & 0x0f) * 4;
      return have(ihl + 4) ? `UDP → ${u16(clean, p + ihl + 2)}` : 'UDP';
    }
    default:
      return protocolOf(clean);
  }
}
