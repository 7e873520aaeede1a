/**
 * What a list row shows about a frame from its first bytes, through the same accessors as the
 * parsers: its tag stack (`untagged`, `VLAN 10`, `QinQ 100/10`), its protocol for the event
 * filter and a short type (`ARP request 10.0.0.22?`, `ICMP echo reply`, `UDP → 53`). Full
 * decoding is `decodeFrame`. Pure: the web UI imports it (with `hexToBytes` for the frame hex it
 * is sent).
 */
import { EtherType, MAX_8023_LENGTH, TYPE_LEN, TYPE_OFFSET, ethFirstType, isTpid, read16 } from './ethernet.js';
import { VLAN_TAG_LEN, readTagAt } from './vlan-tag.js';
import type { VlanTag } from './vlan-tag.js';
import { ARP_LEN, ArpOp, arpOp, arpSenderIp, arpTargetIp } from './arp.js';
import { IpProtocol, Ipv4Field, ipv4HeaderLength, ipv4Protocol } from './ipv4.js';
import { IcmpType, icmpType } from './icmpv4.js';
import { UdpField, udpDstPort } from './udp.js';
import { Ipv6Field, ipv6NextHeader } from './ipv6.js';
import { ipv4ToString } from './ip.js';
import { parseLlc } from './llc.js';
import { CDP_SNAP_PID } from './cdp.js';

/** Tags read for a summary at most (a deeper stack is shown as its first four). */
const MAX_SUMMARY_TAGS = 4;
/** Cisco's SNAP OUI (CDP). */
const CISCO_OUI = 0x00000c;

export interface TagStack {
  /** outermost first */
  tags: VlanTag[];
  /** EtherType after the tags (or the 802.3 length) */
  ethertype: number;
  /** where the payload after the tags starts */
  payloadOffset: number;
}

/** The tag stack (every TPID a capture shows as a tag) and the type after it; null under 14 bytes. */
export function tagStack(frame: Uint8Array): TagStack | null {
  const first = ethFirstType(frame);
  if (first < 0) return null;
  const tags: VlanTag[] = [];
  let off = TYPE_OFFSET;
  let type = first;
  while (isTpid(type) && off + VLAN_TAG_LEN + TYPE_LEN <= frame.length && tags.length < MAX_SUMMARY_TAGS) {
    tags.push(readTagAt(frame, off));
    off += VLAN_TAG_LEN;
    type = read16(frame, off);
  }
  return { tags, ethertype: type, payloadOffset: off + TYPE_LEN };
}

/** `untagged`, `VLAN 10`, `VLAN 10 PCP 5`, `QinQ 100/10`, `priority-tagged PCP 5`; null under 14 bytes. */
export function tagLabel(frame: Uint8Array): string | null {
  const t = tagStack(frame);
  if (!t) return null;
  const tag = t.tags[0];
  if (tag === undefined) return 'untagged';
  if (t.tags.length >= 2) return `QinQ ${t.tags.map((x) => x.vid).join('/')}`;
  if (tag.vid === 0) return `priority-tagged PCP ${tag.pcp}`;
  return `VLAN ${tag.vid}${tag.pcp ? ` PCP ${tag.pcp}` : ''}`;
}

/** The protocols the event list filters by, in its order. */
export const FRAME_PROTOCOLS = ['ARP', 'ICMP', 'UDP', 'TCP', 'IPv4', 'IPv6', 'ICMPv6', 'RARP', 'LLDP', 'CDP', 'other'] as const;
export type FrameProtocol = (typeof FRAME_PROTOCOLS)[number];

function transportName(proto: number, icmp: number, icmpName: FrameProtocol, fallback: FrameProtocol): FrameProtocol {
  return proto === icmp ? icmpName : proto === IpProtocol.UDP ? 'UDP' : proto === IpProtocol.TCP ? 'TCP' : fallback;
}

/** The protocol for the event filter (`other` for what it does not name, or under 14 bytes). */
export function frameProtocol(frame: Uint8Array): FrameProtocol {
  const t = tagStack(frame);
  if (!t) return 'other';
  const p = t.payloadOffset;
  switch (t.ethertype) {
    case EtherType.ARP:
      return 'ARP';
    case EtherType.RARP:
      return 'RARP';
    case EtherType.LLDP:
      return 'LLDP';
    case EtherType.IPv6:
      // the fixed header's Next Header (extension headers are not walked for a list row)
      return frame.length > p + Ipv6Field.NEXT_HEADER ? transportName(ipv6NextHeader(frame, p), IpProtocol.IPv6Icmp, 'ICMPv6', 'IPv6') : 'IPv6';
    case EtherType.IPv4:
      return frame.length > p + Ipv4Field.PROTOCOL ? transportName(ipv4Protocol(frame, p), IpProtocol.ICMP, 'ICMP', 'IPv4') : 'IPv4';
    default: {
      if (t.ethertype > MAX_8023_LENGTH) return 'other';
      const llc = parseLlc(frame, p, frame.length);
      return llc?.oui === CISCO_OUI && llc.pid === CDP_SNAP_PID ? 'CDP' : 'other';
    }
  }
}

const ICMP_TYPE_WORDS: Readonly<Record<number, string>> = {
  [IcmpType.EchoReply]: 'ICMP echo reply',
  [IcmpType.EchoRequest]: 'ICMP echo request',
  [IcmpType.DestinationUnreachable]: 'ICMP unreachable',
  [IcmpType.TimeExceeded]: 'ICMP time exceeded',
};

/**
 * A short type for the event list, Packet Tracer's "Type" column: `ARP request 10.0.0.22?`,
 * `ARP gratuitous 10.0.0.21`, `ARP reply 10.0.0.21`, `ICMP echo request`, `UDP → 5353`, or the
 * protocol; null under 14 bytes.
 */
export function frameType(frame: Uint8Array): string | null {
  const t = tagStack(frame);
  if (!t) return null;
  const p = t.payloadOffset;
  const protocol = frameProtocol(frame);
  switch (protocol) {
    case 'ARP': {
      if (frame.length < p + ARP_LEN) return 'ARP';
      const op = arpOp(frame, p);
      const target = ipv4ToString(arpTargetIp(frame, p));
      const sender = ipv4ToString(arpSenderIp(frame, p));
      if (op === ArpOp.Request) return sender === target ? `ARP gratuitous ${sender}` : `ARP request ${target}?`;
      if (op === ArpOp.Reply) return `ARP reply ${sender}`;
      return `ARP op ${op}`;
    }
    case 'ICMP': {
      const icmp = p + ipv4HeaderLength(frame, p);
      if (frame.length <= icmp) return 'ICMP';
      const type = icmpType(frame, icmp);
      return ICMP_TYPE_WORDS[type] ?? `ICMP type ${type}`;
    }
    case 'UDP': {
      if (t.ethertype !== EtherType.IPv4) return 'UDP';
      const udp = p + ipv4HeaderLength(frame, p);
      return frame.length >= udp + UdpField.DST_PORT + 2 ? `UDP → ${udpDstPort(frame, udp)}` : 'UDP';
    }
    case 'TCP':
    case 'IPv4':
    case 'IPv6':
    case 'ICMPv6':
    case 'RARP':
    case 'LLDP':
    case 'CDP':
    case 'other':
      return protocol;
  }
}
