/**
 * The IP stack of an endpoint — a VM vNIC, a VMkernel adapter or a physical host NIC (rules E1,
 * E2, and the endpoint side of F9). It sits behind an `EndpointPort` (endpoint.ts) and knows
 * nothing of the fabric.
 *
 * Behaviour (choices to document):
 * - L3 interfaces: untagged, and guest VLAN sub-interfaces. A frame is handed to the interface
 *   of its outer VLAN (untagged and priority-tagged VID 0 frames to the untagged one); frames
 *   sent from a sub-interface leave tagged with its VLAN. A frame of a VLAN without a
 *   sub-interface, or with two tags, is ignored.
 * - Receive filter: only frames to the effective MAC or broadcast are processed; multicast and
 *   others' unicast (copies a promiscuous port gets) are ignored — not learned from, not answered.
 *   Frames whose source is the stack's own MAC are ignored.
 * - F9: a frame whose L3 packet exceeds the interface MTU is ignored (noted `ignore`/F9).
 * - ARP (E1), RFC 826 with its "merge" rule: a request for one of our addresses is answered
 *   (unicast to the requester, tagged as the interface) and its sender learned; a reply to us
 *   for our address is learned; any other ARP we receive (broadcast requests between others,
 *   gratuitous ARP) only *refreshes or corrects* an entry that already exists (or a pending
 *   resolution); it never creates one. ARP from a sender claiming our own address and
 *   probes from 0.0.0.0 are never learned (a probe is still answered).
 * - Entries live `arpTimeoutNs` from their last confirmation (virtual clock), removed lazily.
 * - Resolution: on a cache miss the stack broadcasts an ARP request, retries every
 *   `ARP_RETRY_NS` (1 s) up to `ARP_TRIES` (3) requests, then gives up 1 s after the last one:
 *   the queued packets are dropped and a ping reports "Host is down" (vmk, vmkping's sendto()
 *   error) or "Destination Host Unreachable" (guests and physical hosts, Linux ping).
 * - ICMP echo: a request to one of our addresses (reassembled first when fragmented) is answered
 *   with the same id, seq and data, TTL 64, no DF, from the interface it arrived on, to the next
 *   hop's cached MAC, else straight back to the request's source MAC (no ARP round trip for
 *   replies). Replies over the MTU are fragmented. Broadcast echo requests are ignored (Linux's
 *   icmp_echo_ignore_broadcasts). Other IP traffic is ignored.
 * - Routing: same subnet as an interface -> the destination itself; otherwise the default
 *   gateway, through the interface whose subnet holds it; otherwise "Network is unreachable".
 *   A ping to one of our own addresses is answered by loopback (RTT 0, nothing on the wire).
 * - Sending: an IP packet bigger than the MTU is fragmented (fragmentIpv4) unless DF is set, in
 *   which case a ping fails locally with "Message too long" and nothing is sent (E2).
 * - Ping: probe k is issued at k * intervalNs (the first synchronously, inside ping()), ICMP seq 1..count (Linux
 *   style; vmkping would start at 0), id per session (seeded from the endpoint id), data bytes
 *   counting up from 0. A probe waiting for ARP is not timed out: it is sent when ARP answers
 *   or fails with ARP; once sent it times out `timeoutNs` later. RTT runs from the moment the
 *   probe was issued (the first one includes ARP resolution). `transmitted` counts echo
 *   requests that left and probes ARP failed for (each also one `unreachable` error, as iputils
 *   counts them); not probes refused before sending (no route, Message too long); a loopback
 *   ping counts as transmitted. onDone runs (setTimer 0) once every probe is answered, timed
 *   out or failed.
 * - IP identification: one counter per stack, starting at 1.
 * - IPv6 (rule E4): interfaces with an `ipv6` list are handed to `Ipv6Stack` (ipv6-stack.ts):
 *   neighbour discovery, ICMPv6 echo, `ping -6`. The receive filter then also takes multicast
 *   frames to the groups that stack joined (all-nodes, solicited-node).
 */
import {
  ArpField,
  DST_OFFSET,
  ETH_HEADER_LEN,
  EtherType,
  ICMP_HEADER_LEN,
  IPV4_MIN_HEADER_LEN,
  IcmpType,
  Ipv4Reassembler,
  IpProtocol,
  OUTER_TAG_OFFSET,
  VLAN_TAG_LEN,
  arpOp,
  arpSenderIp,
  arpSenderMacView,
  arpTargetIp,
  buildArp,
  buildIcmpEcho,
  ethDstEquals,
  ethFirstType,
  ethSrcEquals,
  ethSrcView,
  etherTypeBefore,
  formatMac,
  fragmentIpv4,
  ipv4Dst,
  ipv4Protocol,
  ipv4ToString,
  ipv4Version,
  isBroadcast,
  isEthernetIpv4Arp,
  isFragment,
  isCTagTpid,
  parseIcmpv4,
  parseIpv4Packet,
  prefixMask,
  tagTciAt,
  tciVid,
} from '../wire/index.js';
import { ArpCache, arpKey } from './arp-cache.js';
import { Ipv6Stack } from './ipv6-stack.js';
import type { EndpointArpEntry, EndpointNeighbourEntry, EndpointConfig, EndpointPort, EndpointStack, EndpointStackFactory, PingOptions, PingResult } from './endpoint.js';
import { EchoIds, MAX_PING_SIZE, PingSession, armProbeTimeout, finishPing } from './ping.js';
import type { RuleId } from './rules.js';

/** ARP requests sent for one resolution before giving up. */
export const ARP_TRIES = 3;
/** Wait between ARP requests (and after the last one before giving up). */
export const ARP_RETRY_NS = 1_000_000_000;
/** Most probes one ping may send (the session keeps a little state per probe). */
export const MAX_PING_COUNT = 100_000;
/** TTL of packets the stack originates. */
export const DEFAULT_TTL = 64;
/** How long fragments of an incomplete packet are kept. */
export const REASSEMBLY_TIMEOUT_NS = 30_000_000_000;

const IPV4_HEADER = IPV4_MIN_HEADER_LEN;
const ICMP_HEADER = ICMP_HEADER_LEN;

/** One L3 interface, resolved from the config. */
interface L3Interface {
  index: number;
  /** 802.1Q VLAN it tags with, undefined when untagged */
  vlan: number | undefined;
  hasIp: boolean;
  address: number;
  prefix: number;
  mask: number;
}

interface Resolution {
  ifIndex: number;
  ip: number;
  tries: number;
  waiters: Array<(mac: Uint8Array | null) => void>;
}

type Route = { ifIndex: number; nextHop: number; self: boolean } | { error: string };

/** A deterministic 16-bit start for echo identifiers, different per endpoint id. */
function idSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 16) & 0xffff;
}

export class IpStack implements EndpointStack {
  private readonly ifs: L3Interface[];
  private readonly untaggedIf: number;
  private readonly ifByVlan = new Map<number, number>();
  private readonly cache: ArpCache;
  private readonly resolving = new Map<number, Resolution>();
  private readonly sessions = new Map<number, PingSession>();
  private reassembler: Ipv4Reassembler | null = null;
  private nextIpId = 1;
  private readonly echoIds: EchoIds;
  private readonly v6: Ipv6Stack | null;

  constructor(
    private readonly config: EndpointConfig,
    private readonly port: EndpointPort,
  ) {
    this.ifs = config.interfaces.map((l3, index) => ({
      index,
      vlan: l3.vlan,
      hasIp: l3.ipv4 !== undefined,
      address: l3.ipv4 ? l3.ipv4.address >>> 0 : 0,
      prefix: l3.ipv4 ? l3.ipv4.prefix : 32,
      mask: l3.ipv4 ? prefixMask(l3.ipv4.prefix) : 0xffff_ffff,
    }));
    let untagged = -1;
    for (const l3 of this.ifs) {
      if (l3.vlan === undefined) {
        if (untagged < 0) untagged = l3.index;
      } else if (!this.ifByVlan.has(l3.vlan)) this.ifByVlan.set(l3.vlan, l3.index);
    }
    this.untaggedIf = untagged;
    this.cache = new ArpCache(config.arpTimeoutNs);
    const seed = idSeed(config.id);
    this.echoIds = new EchoIds(seed);
    const v6 = config.interfaces.some((l3) => l3.ipv6 !== undefined) ? new Ipv6Stack(config, port, (seed + 0x8000) & 0xffff) : null;
    this.v6 = v6;
  }

  // ------------------------------------------------------------------------------------------
  // Receive

  receive(frame: Uint8Array): void {
    if (frame.length < ETH_HEADER_LEN) return;
    const mac = this.port.effectiveMac();
    const broadcast = isBroadcast(frame, DST_OFFSET);
    if (!broadcast && !ethDstEquals(frame, mac) && !(this.v6 !== null && this.v6.wantsGroup(frame))) {
      if (this.port.tracing) this.port.note('ignore', 'E1', `${this.port.id}: frame to ${formatMac(frame, DST_OFFSET)} is not for ${formatMac(mac)}; ignored`);
      return;
    }
    if (ethSrcEquals(frame, mac)) return;
    let l3 = ETH_HEADER_LEN;
    let vid = -1;
    let type = ethFirstType(frame);
    if (isCTagTpid(type)) {
      if (frame.length < ETH_HEADER_LEN + VLAN_TAG_LEN) return;
      vid = tciVid(tagTciAt(frame, OUTER_TAG_OFFSET));
      l3 = ETH_HEADER_LEN + VLAN_TAG_LEN;
      type = etherTypeBefore(frame, l3);
      if (isCTagTpid(type)) {
        if (this.port.tracing) this.port.note('ignore', 'V3', `${this.port.id}: double-tagged frame; ignored`);
        return;
      }
    }
    const ifIndex = vid <= 0 ? this.untaggedIf : (this.ifByVlan.get(vid) ?? -1);
    if (ifIndex < 0) {
      if (this.port.tracing) {
        this.port.note('ignore', 'V3', `${this.port.id}: no interface for ${vid <= 0 ? 'untagged frames' : `VLAN ${vid}`}; ignored`);
      }
      return;
    }
    // F9 on receive is not checked here: Fabric.deliver drops a copy over the port's MTU (the same
    // number as config.mtu, set together in build.ts and never changed at run time) before any endpoint sees it.
    if (type === EtherType.ARP) this.receiveArp(frame, l3, ifIndex, broadcast);
    else if (type === EtherType.IPv4) this.receiveIpv4(frame, l3, ifIndex);
    else if (type === EtherType.IPv6 && this.v6 !== null) this.v6.receive(frame, l3, ifIndex);
  }

  private receiveArp(frame: Uint8Array, l3: number, ifIndex: number, broadcast: boolean): void {
    const l3if = this.ifs[ifIndex]!;
    if (!l3if.hasIp || !isEthernetIpv4Arp(frame, l3)) return;
    const op = arpOp(frame, l3);
    const senderIp = arpSenderIp(frame, l3);
    const targetIp = arpTargetIp(frame, l3);
    const sha = l3 + ArpField.SHA;
    if (senderIp === l3if.address) return; // someone claims our address (or a reflection): never learned
    const now = this.port.now();
    const forUs = targetIp === l3if.address;
    const known = senderIp !== 0 && (this.cache.has(ifIndex, senderIp, now) || this.resolving.has(arpKey(ifIndex, senderIp)));
    if (op === 1) {
      if (forUs) {
        if (senderIp !== 0) this.learn(ifIndex, senderIp, frame, sha, now, 'request for us');
        this.answerArp(frame, l3, l3if);
      } else if (known) {
        this.learn(ifIndex, senderIp, frame, sha, now, 'merge (third-party request)');
      }
    } else if (op === 2) {
      if (senderIp === 0) return;
      if (forUs && !broadcast) this.learn(ifIndex, senderIp, frame, sha, now, 'reply');
      else if (known) this.learn(ifIndex, senderIp, frame, sha, now, 'merge (gratuitous reply)');
    }
  }

  private learn(ifIndex: number, ip: number, frame: Uint8Array, macOffset: number, now: number, why: string): void {
    const how = this.cache.learn(ifIndex, ip, frame, macOffset, now);
    if (this.port.tracing) {
      const vlan = this.ifs[ifIndex]!.vlan;
      this.port.note(
        'arp-learn',
        'E1',
        `${this.port.id}: ${ipv4ToString(ip)} is-at ${formatMac(frame, macOffset)}${vlan === undefined ? '' : ` (VLAN ${vlan})`}, ${how} from ${why}, expires in ${this.config.arpTimeoutNs / 1e9} s`,
      );
    }
    const key = arpKey(ifIndex, ip);
    const pending = this.resolving.get(key);
    if (pending) {
      this.resolving.delete(key);
      const mac = this.cache.lookup(ifIndex, ip, now)!.mac;
      for (const w of pending.waiters) w(mac);
    }
  }

  private answerArp(frame: Uint8Array, l3: number, l3if: L3Interface): void {
    const mac = this.port.effectiveMac();
    const requester = arpSenderMacView(frame, l3);
    const reply = buildArp({
      op: 'reply',
      srcMac: mac,
      dstMac: requester,
      senderIp: l3if.address,
      targetMac: requester,
      targetIp: arpSenderIp(frame, l3),
      vlan: l3if.vlan,
    });
    if (this.port.tracing) {
      this.port.note('arp-reply', 'E1', `${this.port.id}: ${ipv4ToString(l3if.address)} is-at ${formatMac(mac)} -> ${formatMac(requester)}${this.vlanText(l3if)}`);
    }
    this.port.transmit(reply);
  }

  private receiveIpv4(frame: Uint8Array, l3: number, ifIndex: number): void {
    const l3if = this.ifs[ifIndex]!;
    if (!l3if.hasIp || frame.length < l3 + IPV4_MIN_HEADER_LEN || ipv4Version(frame, l3) !== 4) return;
    if (ipv4Dst(frame, l3) !== l3if.address) {
      if (this.port.tracing) this.port.note('ignore', 'E1', `${this.port.id}: IPv4 to ${ipv4ToString(ipv4Dst(frame, l3))} is not for ${ipv4ToString(l3if.address)}; ignored`);
      return;
    }
    if (ipv4Protocol(frame, l3) !== IpProtocol.ICMP) {
      if (this.port.tracing) this.port.note('ignore', 'E1', `${this.port.id}: IP protocol ${ipv4Protocol(frame, l3)} has no listener; ignored`);
      return;
    }
    let ip = parseIpv4Packet(frame);
    if (!ip || !ip.checksumOk) {
      if (this.port.tracing) this.port.note('ignore', 'E1', `${this.port.id}: malformed IPv4 header or bad checksum; ignored`);
      return;
    }
    let packet = frame;
    if (isFragment(ip)) {
      this.reassembler ??= new Ipv4Reassembler({ timeout: REASSEMBLY_TIMEOUT_NS });
      const whole = this.reassembler.push(frame, this.port.now());
      if (!whole) {
        if (this.port.tracing) {
          this.port.note('reassemble', 'F9', `${this.port.id}: holding fragment id ${ip.identification} offset ${ip.fragmentOffset} (${ip.payloadLength} bytes${ip.mf ? ', more follow' : ', last'})`);
        }
        return;
      }
      packet = whole;
      ip = parseIpv4Packet(packet);
      if (!ip) return;
      if (this.port.tracing) this.port.note('reassemble', 'F9', `${this.port.id}: reassembled id ${ip.identification}: ${ip.totalLength}-byte packet`);
    }
    const icmp = parseIcmpv4(packet, ip);
    if (!icmp || !icmp.checksumOk) {
      if (this.port.tracing) this.port.note('ignore', 'E1', `${this.port.id}: malformed ICMP or bad checksum; ignored`);
      return;
    }
    if (icmp.type === IcmpType.EchoRequest && icmp.code === 0) {
      this.answerEcho(packet, ip.src, icmp.id, icmp.seq, packet.subarray(icmp.dataOffset, icmp.dataOffset + icmp.dataLength), l3if);
    } else if (icmp.type === IcmpType.EchoReply) {
      const session = this.sessions.get(icmp.id);
      if (!session || session.finished || ip.src !== session.options.dst) return;
      const counted = session.answer(icmp.seq, this.port.now(), ip.ttl, icmp.dataLength + ICMP_HEADER);
      if (this.port.tracing) {
        this.port.note(
          'ping-result',
          'E1',
          `${this.port.id}: echo reply from ${ipv4ToString(ip.src)} id ${icmp.id} seq ${icmp.seq} ttl ${ip.ttl}${counted ? '' : ' (duplicate or late; not counted)'}`,
        );
      }
      if (counted) this.maybeFinish(session);
    }
  }

  private answerEcho(request: Uint8Array, src: number, id: number, seq: number, data: Uint8Array, l3if: L3Interface): void {
    const now = this.port.now();
    const nextHop = this.nextHopOn(l3if, src);
    const cached = this.cache.lookup(l3if.index, nextHop, now);
    const dstMac = cached ? cached.mac : ethSrcView(request);
    const reply = buildIcmpEcho({
      type: 'reply',
      srcMac: this.port.effectiveMac(),
      dstMac,
      srcIp: l3if.address,
      dstIp: src,
      id,
      seq,
      data,
      ttl: DEFAULT_TTL,
      identification: this.ipId(),
      vlan: l3if.vlan,
      oversize: true,
    });
    if (this.port.tracing) {
      this.port.note('echo-reply', 'E1', `${this.port.id}: echo reply to ${ipv4ToString(src)} id ${id} seq ${seq}, ${data.length} data bytes, to ${formatMac(dstMac)}${this.vlanText(l3if)}`);
    }
    this.sendIp(reply);
  }

  /** The next hop on `l3if` towards `dst`: itself when on-link, else the gateway when it is on this interface. */
  private nextHopOn(l3if: L3Interface, dst: number): number {
    if (((dst ^ l3if.address) & l3if.mask) === 0) return dst;
    const gw = this.config.gateway;
    if (gw !== undefined && ((gw ^ l3if.address) & l3if.mask) === 0) return gw >>> 0;
    return dst;
  }

  // ------------------------------------------------------------------------------------------
  // Send

  private ipId(): number {
    const id = this.nextIpId;
    this.nextIpId = (this.nextIpId + 1) & 0xffff;
    return id;
  }

  private vlanText(l3if: L3Interface): string {
    return l3if.vlan === undefined ? '' : ` on VLAN ${l3if.vlan}`;
  }

  /** Transmits an IP frame, fragmented to the MTU when needed (the caller checked DF). */
  private sendIp(frame: Uint8Array): void {
    const ip = parseIpv4Packet(frame)!;
    if (ip.totalLength <= this.config.mtu) {
      this.port.transmit(frame);
      return;
    }
    const pieces = fragmentIpv4(frame, this.config.mtu);
    if (this.port.tracing) {
      this.port.note('fragment', 'F9', `${this.port.id}: ${ip.totalLength}-byte packet id ${ip.identification} split into ${pieces.length} fragments for MTU ${this.config.mtu}`);
    }
    for (const p of pieces) this.port.transmit(p);
  }

  /** Calls `done` with the MAC of `ip` on interface `ifIndex`, resolving it by ARP on a miss (null when it fails). */
  private resolve(ifIndex: number, ip: number, done: (mac: Uint8Array | null) => void): void {
    const cached = this.cache.lookup(ifIndex, ip, this.port.now());
    if (cached) {
      done(cached.mac);
      return;
    }
    const key = arpKey(ifIndex, ip);
    const pending = this.resolving.get(key);
    if (pending) {
      pending.waiters.push(done);
      return;
    }
    const r: Resolution = { ifIndex, ip, tries: 0, waiters: [done] };
    this.resolving.set(key, r);
    this.sendArpRequest(r);
  }

  private sendArpRequest(r: Resolution): void {
    const l3if = this.ifs[r.ifIndex]!;
    r.tries++;
    const request = buildArp({ op: 'request', srcMac: this.port.effectiveMac(), senderIp: l3if.address, targetIp: r.ip, vlan: l3if.vlan });
    if (this.port.tracing) {
      this.port.note('arp-request', 'E1', `${this.port.id}: who-has ${ipv4ToString(r.ip)} tell ${ipv4ToString(l3if.address)}${this.vlanText(l3if)} (try ${r.tries}/${ARP_TRIES})`);
    }
    this.port.transmit(request);
    this.port.setTimer(ARP_RETRY_NS, () => {
      if (this.resolving.get(arpKey(r.ifIndex, r.ip)) !== r) return; // answered meanwhile
      if (r.tries < ARP_TRIES) {
        this.sendArpRequest(r);
        return;
      }
      this.resolving.delete(arpKey(r.ifIndex, r.ip));
      if (this.port.tracing) this.port.note('local-error', 'E1', `${this.port.id}: no ARP answer for ${ipv4ToString(r.ip)} after ${ARP_TRIES} requests`);
      for (const w of r.waiters) w(null);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Ping

  private route(dst: number): Route {
    for (const l3if of this.ifs) if (l3if.hasIp && l3if.address === dst) return { ifIndex: l3if.index, nextHop: dst, self: true };
    for (const l3if of this.ifs) if (l3if.hasIp && ((dst ^ l3if.address) & l3if.mask) === 0) return { ifIndex: l3if.index, nextHop: dst, self: false };
    const gw = this.config.gateway;
    if (gw !== undefined) {
      for (const l3if of this.ifs) if (l3if.hasIp && ((gw ^ l3if.address) & l3if.mask) === 0) return { ifIndex: l3if.index, nextHop: gw >>> 0, self: false };
    }
    return { error: 'Network is unreachable' };
  }

  private arpFailure(): string {
    return this.config.kind === 'vmk' ? 'Host is down' : 'Destination Host Unreachable';
  }

  ping(options: PingOptions, onDone: (result: PingResult) => void): void {
    const bad = this.checkOptions(options);
    if (bad) {
      // nothing is probed: an empty session carries the error to onDone
      const empty = new PingSession(0, { ...options, count: 0 }, onDone);
      empty.addError(bad);
      this.finish(empty);
      return;
    }
    if (options.dst6 !== undefined) {
      if (this.v6 !== null) {
        this.v6.ping(options, onDone);
        return;
      }
      const none = new PingSession(0, { ...options, count: 0 }, onDone);
      none.addError('Network is unreachable');
      if (this.port.tracing) this.port.note('local-error', 'E4', `${this.port.id}: ping -6: Network is unreachable (IPv6 is not enabled on this endpoint)`);
      none.finished = true;
      this.port.setTimer(0, () => onDone(none.result()));
      return;
    }
    const dst = options.dst >>> 0;
    const session = new PingSession(this.echoIds.take(this.sessions), { ...options, dst }, onDone);
    this.sessions.set(session.id, session);
    const route = this.route(dst);
    if ('error' in route) return this.failBeforeSending(session, 'E1', route.error, '');
    const packet = IPV4_HEADER + ICMP_HEADER + options.size;
    if (options.df && packet > this.config.mtu) {
      return this.failBeforeSending(session, 'E2', 'Message too long', ` (${packet}-byte packet with DF over the interface MTU ${this.config.mtu})`);
    }
    this.probe(session, 0, route);
    for (let k = 1; k < options.count; k++) this.port.setTimer(k * options.intervalNs, () => this.probe(session, k, route));
  }

  /** A send error that hits every probe alike before anything leaves (sendto() fails). */
  private failBeforeSending(session: PingSession, rule: RuleId, error: string, why: string): void {
    session.failAll(error);
    if (this.port.tracing) this.port.note('local-error', rule, `${this.port.id}: ping ${ipv4ToString(session.options.dst)}: ${error}${why}`);
    this.finish(session);
  }

  private checkOptions(o: PingOptions): string | null {
    if (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_PING_COUNT) return `bad number of packets to transmit: ${o.count} (1..${MAX_PING_COUNT})`;
    if (!Number.isInteger(o.size) || o.size < 0 || o.size > MAX_PING_SIZE) return `packet size ${o.size} is too large. Maximum is ${MAX_PING_SIZE}`;
    if (o.dst6 !== undefined) {
      if (!(o.dst6 instanceof Uint8Array) || o.dst6.length !== 16) return 'bad IPv6 address (16 bytes)';
    } else if (!Number.isInteger(o.dst) || o.dst < 0 || o.dst > 0xffff_ffff) return `bad address ${o.dst}`;
    if (!(o.intervalNs >= 0) || !(o.timeoutNs > 0)) return 'bad timing: interval must be >= 0 and timeout > 0';
    if (o.ttl !== undefined && !(Number.isInteger(o.ttl) && o.ttl >= 1 && o.ttl <= 255)) return `bad TTL ${o.ttl} (1..255)`;
    return null;
  }

  private probe(session: PingSession, index: number, route: { ifIndex: number; nextHop: number; self: boolean }): void {
    if (session.finished) return;
    const now = this.port.now();
    session.issue(index, now);
    const { dst, size, df } = session.options;
    const seq = session.seqOf(index);
    session.source ??= ipv4ToString(this.ifs[route.ifIndex]!.address);
    if (route.self) {
      session.loopback(index, size + ICMP_HEADER);
      this.maybeFinish(session);
      return;
    }
    const l3if = this.ifs[route.ifIndex]!;
    this.resolve(route.ifIndex, route.nextHop, (mac) => {
      if (session.finished || !session.isOutstanding(index)) return;
      if (!mac) {
        session.fail(index, this.arpFailure(), this.port.now());
        if (this.port.tracing) this.port.note('local-error', 'E1', `${this.port.id}: ping ${ipv4ToString(dst)} seq ${seq}: ${this.arpFailure()}`);
        this.maybeFinish(session);
        return;
      }
      const request = buildIcmpEcho({
        type: 'request',
        srcMac: this.port.effectiveMac(),
        dstMac: mac,
        srcIp: l3if.address,
        dstIp: dst,
        id: session.id,
        seq,
        dataSize: size,
        df,
        ttl: session.options.ttl ?? DEFAULT_TTL,
        identification: this.ipId(),
        vlan: l3if.vlan,
        oversize: true,
      });
      if (this.port.tracing) {
        this.port.note(
          'echo-request',
          df ? 'E2' : 'E1',
          `${this.port.id}: echo request to ${ipv4ToString(dst)} id ${session.id} seq ${seq}, ${size} data bytes${df ? ', DF' : ''}${
            session.options.ttl !== undefined ? `, TTL ${session.options.ttl}` : ''
          }, via ${formatMac(mac)}${this.vlanText(l3if)}`,
        );
      }
      session.sent(index);
      this.sendIp(request);
      armProbeTimeout(this.port, session, index, (x) => this.maybeFinish(x));
    });
  }

  private maybeFinish(session: PingSession): void {
    if (!session.finished && session.complete) this.finish(session);
  }

  /** Ends the session and hands its result to onDone on the virtual clock. */
  private finish(session: PingSession): void {
    finishPing(this.port, this.sessions, session, (r) => (r.errors.includes('Message too long') ? 'E2' : 'E1'), ipv4ToString(session.options.dst));
  }

  // ------------------------------------------------------------------------------------------
  // Inspection

  /**
   * The clock's base moved forward (EndpointStack.rebase): cache expiries and probe times follow;
   * datagrams half reassembled are dropped (the reassembler's clock cannot be moved: once per ~52
   * days of virtual time, at most its 30 s of fragments).
   */
  rebase(deltaNs: number): void {
    this.cache.rebase(deltaNs);
    for (const s of this.sessions.values()) s.rebase(deltaNs);
    this.reassembler = null;
    this.v6?.rebase(deltaNs);
  }

  arpCache(): EndpointArpEntry[] {
    return this.cache.list(this.port.now(), (i) => this.ifs[i]?.vlan);
  }

  neighbours(): EndpointNeighbourEntry[] {
    return this.v6 ? this.v6.neighbours() : [];
  }

  ipv6Addresses(): { vlan?: number; addresses: string[] }[] {
    return this.v6 ? this.v6.addresses() : [];
  }
}

/** The default endpoint stack factory (rule E1). */
export const createIpStack: EndpointStackFactory = (config, port) => new IpStack(config, port);
