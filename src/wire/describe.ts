/**
 * One-line summaries like Wireshark's Info column, VLAN stack first:
 *   `VLAN 10 · ARP Who has 10.0.10.12? Tell 10.0.10.11`
 *   `QinQ 100/10 · ICMP Echo (ping) request id=0x0001, seq=1, ttl=64 10.0.0.21 → 10.0.0.22`
 * `describe` never throws: what cannot be read is said to be malformed.
 */
import { formatMac } from './mac.js';
import { ipv4ToString, ipv6ToString } from './ip.js';
import { EtherType, MAX_8023_LENGTH, TYPE_OFFSET, etherTypeName, isTpid, read16 } from './ethernet.js';
import { tagCount } from './vlan-tag.js';
import { parseArp } from './arp.js';
import type { ArpRepr } from './arp.js';
import { ipProtocolName, isFragment, parseIpv4Header } from './ipv4.js';
import type { Ipv4Repr } from './ipv4.js';
import { icmpTypeName, parseIcmpv4 } from './icmpv4.js';
import { parseUdp } from './udp.js';
import { parseTcp, tcpFlagsText } from './tcp.js';
import { parseIpv6Header } from './ipv6.js';
import type { Ipv6Repr } from './ipv6.js';
import { icmpv6TypeName, parseIcmpv6 } from './icmpv6.js';
import { parseLldp } from './lldp.js';
import { parseLlc } from './llc.js';
import { describeBpdu, parseBpdu } from './stp.js';
import { parseCdp } from './cdp.js';

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** `VLAN 10`, `VLAN 10 PCP 5`, `QinQ 100/10`, `Tags 100/10/5`; '' when untagged. */
export function describeTags(frame: Uint8Array): string {
  const n = tagCount(frame);
  if (n === 0) return '';
  const vid = (i: number) => ((frame[TYPE_OFFSET + 4 * i + 2]! & 0x0f) << 8) | frame[TYPE_OFFSET + 4 * i + 3]!;
  if (n === 1) {
    const pcp = frame[14]! >>> 5;
    return pcp ? `VLAN ${vid(0)} PCP ${pcp}` : `VLAN ${vid(0)}`;
  }
  const vids: number[] = [];
  for (let i = 0; i < n; i++) vids.push(vid(i));
  return `${n === 2 ? 'QinQ' : 'Tags'} ${vids.join('/')}`;
}

function isZeroMac(b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (b[i] !== 0) return false;
  return true;
}

export function describeArp(a: ArpRepr): string {
  const sip = ipv4ToString(a.senderIp);
  const tip = ipv4ToString(a.targetIp);
  if (a.ethertype === EtherType.RARP || a.op === 3 || a.op === 4) {
    if (a.op === 3) return `RARP Who is ${formatMac(a.targetMac)}? Tell ${formatMac(a.senderMac)}`;
    if (a.op === 4) return `RARP ${formatMac(a.targetMac)} is at ${tip}`;
  }
  if (a.op === 1) {
    if (a.senderIp === 0) return `ARP Who has ${tip}? (ARP Probe)`;
    if (a.senderIp === a.targetIp) return isZeroMac(a.targetMac) ? `ARP Announcement for ${sip}` : `ARP Gratuitous ARP for ${sip} (Request)`;
    return `ARP Who has ${tip}? Tell ${sip}`;
  }
  if (a.op === 2) {
    if (a.senderIp === a.targetIp) return `ARP Gratuitous ARP for ${sip} (Reply)`;
    return `ARP ${sip} is at ${formatMac(a.senderMac)}`;
  }
  return `${a.ethertype === EtherType.RARP ? 'RARP' : 'ARP'} opcode ${a.op} ${sip} → ${tip}`;
}

function describeIpv4(frame: Uint8Array, ip: Ipv4Repr): string {
  const route = `${ipv4ToString(ip.src)} → ${ipv4ToString(ip.dst)}`;
  const bad = ip.checksumOk ? '' : ' [bad IP checksum]';
  if (isFragment(ip)) {
    return `IPv4 Fragmented IP protocol (proto=${ipProtocolName(ip.protocol)} ${ip.protocol}, off=${ip.fragmentOffset}, ID=${ip.identification.toString(16).padStart(4, '0')}${
      ip.mf ? ', MF' : ''
    }) ${route}${bad}`;
  }
  if (ip.protocol === 1) {
    const m = parseIcmpv4(frame, ip);
    if (!m) return `ICMP [malformed] ${route}`;
    let s = `ICMP ${icmpTypeName(m.type, m.code)}`;
    if (m.type === 0 || m.type === 8) s += ` id=${hex4(m.id)}, seq=${m.seq}, ttl=${ip.ttl}`;
    if (m.nextHopMtu !== undefined) s += ` next-hop MTU=${m.nextHopMtu}`;
    return `${s} ${route}${m.checksumOk ? '' : ' [bad ICMP checksum]'}${bad}`;
  }
  if (ip.protocol === 17) {
    const u = parseUdp(frame, ip.payloadOffset, ip.payloadLength);
    if (!u) return `UDP [malformed] ${route}`;
    return `UDP ${ipv4ToString(ip.src)}:${u.srcPort} → ${ipv4ToString(ip.dst)}:${u.dstPort} Len=${u.dataLength}${bad}`;
  }
  if (ip.protocol === 6) {
    const t = parseTcp(frame, ip.payloadOffset, ip.payloadLength);
    if (!t) return `TCP [malformed] ${route}`;
    return `TCP ${ipv4ToString(ip.src)}:${t.srcPort} → ${ipv4ToString(ip.dst)}:${t.dstPort} [${tcpFlagsText(t.flags)}] Seq=${t.seq} Ack=${t.ack} Win=${t.window} Len=${t.payloadLength}${bad}`;
  }
  return `IPv4 ${ipProtocolName(ip.protocol)} ${route} len=${ip.totalLength}${bad}`;
}

function describeIpv6(frame: Uint8Array, ip: Ipv6Repr): string {
  const src = ipv6ToString(ip.src);
  const dst = ipv6ToString(ip.dst);
  const route = `${src} → ${dst}`;
  if (ip.upperProtocol === 58) {
    const m = parseIcmpv6(frame, ip);
    if (!m) return `ICMPv6 [malformed] ${route}`;
    const bad = m.checksumOk ? '' : ' [bad ICMPv6 checksum]';
    if (m.type === 128 || m.type === 129) return `ICMPv6 ${icmpv6TypeName(m.type)} id=${hex4(m.id)}, seq=${m.seq}, hlim=${ip.hopLimit} ${route}${bad}`;
    if (m.type === 135 && m.target) {
      return `ICMPv6 Neighbor Solicitation for ${ipv6ToString(m.target)}${m.linkLayerAddress ? ` from ${formatMac(m.linkLayerAddress)}` : ''}${bad}`;
    }
    if (m.type === 136 && m.target) {
      const flags = [m.router ? 'rtr' : '', m.solicited ? 'sol' : '', m.override ? 'ovr' : ''].filter(Boolean).join(', ');
      return `ICMPv6 Neighbor Advertisement ${ipv6ToString(m.target)}${flags ? ` (${flags})` : ''}${m.linkLayerAddress ? ` is at ${formatMac(m.linkLayerAddress)}` : ''}${bad}`;
    }
    if (m.type === 2 && m.mtu !== undefined) return `ICMPv6 Packet Too Big MTU=${m.mtu} ${route}${bad}`;
    return `ICMPv6 ${icmpv6TypeName(m.type)} ${route}${bad}`;
  }
  if (ip.upperProtocol === 17) {
    const u = parseUdp(frame, ip.upperOffset, ip.upperLength);
    if (u) return `UDP [${src}]:${u.srcPort} → [${dst}]:${u.dstPort} Len=${u.dataLength}`;
  }
  if (ip.upperProtocol === 6) {
    const t = parseTcp(frame, ip.upperOffset, ip.upperLength);
    if (t) return `TCP [${src}]:${t.srcPort} → [${dst}]:${t.dstPort} [${tcpFlagsText(t.flags)}] Seq=${t.seq} Ack=${t.ack} Win=${t.window} Len=${t.payloadLength}`;
  }
  return `IPv6 ${ipProtocolName(ip.upperProtocol)} ${route}`;
}

function describe8023(frame: Uint8Array, off: number, length: number): string {
  const end = Math.min(frame.length, off + length);
  const llc = parseLlc(frame, off, end);
  if (!llc) return `IEEE 802.3 [malformed LLC] length ${length}`;
  if (llc.oui === 0x00000c && llc.pid === 0x2000) {
    const cdp = parseCdp(frame, llc.payloadOffset, end);
    if (!cdp) return 'CDP [malformed]';
    return `CDP Device ID: ${cdp.deviceId ?? '?'}  Port ID: ${cdp.portId ?? '?'}`;
  }
  if (llc.dsap === 0x42 && llc.ssap === 0x42) {
    const bpdu = parseBpdu(frame, llc.payloadOffset, end);
    return bpdu ? describeBpdu(bpdu) : 'STP [malformed BPDU]';
  }
  if (llc.oui !== undefined) return `LLC SNAP OUI 0x${llc.oui.toString(16).padStart(6, '0')} PID ${hex4(llc.pid ?? 0)}`;
  return `LLC DSAP 0x${llc.dsap.toString(16).padStart(2, '0')} SSAP 0x${llc.ssap.toString(16).padStart(2, '0')}`;
}

function body(frame: Uint8Array): string {
  if (frame.length < 14) return `Runt frame (${frame.length} bytes, no Ethernet header)`;
  const n = tagCount(frame);
  const typeOff = TYPE_OFFSET + 4 * n;
  if (typeOff + 2 > frame.length) return `[malformed] truncated 802.1Q tag`;
  const type = read16(frame, typeOff);
  if (isTpid(type)) return `[malformed] truncated ${type === 0x88a8 ? '802.1ad' : '802.1Q'} tag`;
  const off = typeOff + 2;
  if (type <= MAX_8023_LENGTH) return describe8023(frame, off, type);
  switch (type) {
    case EtherType.ARP:
    case EtherType.RARP: {
      const a = parseArp(frame, off, type);
      return a ? describeArp(a) : `${type === EtherType.ARP ? 'ARP' : 'RARP'} [malformed]`;
    }
    case EtherType.IPv4: {
      const ip = parseIpv4Header(frame, off);
      return ip ? describeIpv4(frame, ip) : 'IPv4 [malformed]';
    }
    case EtherType.IPv6: {
      const ip = parseIpv6Header(frame, off);
      return ip ? describeIpv6(frame, ip) : 'IPv6 [malformed]';
    }
    case EtherType.LLDP: {
      const l = parseLldp(frame, off, frame.length);
      if (!l) return 'LLDP [malformed]';
      return `LLDP Chassis Id = ${l.chassisId}  Port Id = ${l.portId}  TTL = ${l.ttl}${l.systemName ? `  System Name = ${l.systemName}` : ''}`;
    }
    default:
      return `Ethernet II ${formatMac(frame, 6)} → ${formatMac(frame, 0)} type ${etherTypeName(type)} (${frame.length - off} bytes)`;
  }
}

/** One-line summary of a frame, VLAN stack first. Never throws. */
export function describe(frame: Uint8Array): string {
  try {
    const tags = describeTags(frame);
    const b = body(frame);
    return tags ? `${tags} · ${b}` : b;
  } catch {
    return `[malformed frame, ${frame.length} bytes]`;
  }
}
