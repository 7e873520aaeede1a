/**
 * The IPv6 side of an endpoint's stack (rule E4): addresses, neighbour discovery (RFC 4861) and
 * ICMPv6 echo (RFC 4443). `IpStack` (ip-stack.ts) owns the frame and hands it the IPv6 frames of
 * an L3 interface with IPv6 enabled (a topology `ipv6` list, even empty).
 *
 * Behaviour (choices to document):
 * - Addresses: per interface, the configured ones plus the link-local fe80::/64 made from the
 *   MAC by modified EUI-64 (RFC 4291 appendix A: ff:fe in the middle, the U/L bit flipped),
 *   unless a configured address is already link-local. No DAD (addresses are usable at once,
 *   as with optimistic DAD or `accept_dad=0`); no router discovery, no off-link routes: an
 *   address outside every configured prefix (and not link-local) is "Network is unreachable".
 * - Groups: the stack joins all-nodes ff02::1 and the solicited-node group of each address,
 *   and registers their MACs (33:33:00:00:00:01, 33:33:ff:xx:xx:xx) on its vSwitch port through
 *   `EndpointPort.setMulticastGroups` (M1), so the port's multicast filter lets the NS in (M2).
 *   Multicast frames to any other group are ignored by the stack.
 * - NS for one of our addresses (hop limit 255, valid checksum) -> NA unicast to the solicitor,
 *   flags Solicited and Override (not Router), with the target link-layer address option; the
 *   solicitor's source link-layer option is learned STALE (RFC 4861 7.2.3). An NS from :: (a
 *   DAD probe) is answered to ff02::1 with Solicited clear (7.2.4), nothing learned.
 * - NA: only updates an existing entry (7.2.5): INCOMPLETE -> REACHABLE (solicited) or STALE,
 *   queued probes go out; an existing entry with a different MAC is replaced when Override is
 *   set, else a REACHABLE one turns STALE. Unknown targets are not created.
 * - Resolution: NS to the target's solicited-node group with our source link-layer option,
 *   every 1 s, 3 tries (MAX_MULTICAST_SOLICIT, RETRANS_TIMER), then "Address unreachable".
 * - Echo: a request to one of our unicast addresses is answered from that address with the same
 *   id, seq and data, hop limit 64, to the cached MAC of its source, else back to the request's
 *   source MAC. Echo to multicast addresses is not answered. Replies are matched by id and source.
 * - Ping: as IPv4 (ping.ts bookkeeping); the source is the link-local address for a link-local
 *   destination (on the untagged interface, else the first with IPv6) and the configured address
 *   whose prefix holds the destination otherwise. A packet over the MTU is refused with
 *   "Message too long" (no IPv6 fragmentation in the lab).
 */
import {
  DST_OFFSET,
  Icmpv6Type,
  buildIcmpv6Echo,
  buildNeighborAdvertisement,
  buildNeighborSolicitation,
  ethSrcView,
  formatMac,
  ipv6MulticastMac,
  ipv6ToString,
  linkLocalFromMac,
  macToNumber,
  parseIcmpv6,
  parseIpv6Header,
  sameSubnet6,
  solicitedNodeMulticast,
} from '../wire/index.js';
import type { EndpointConfig, EndpointNeighbourEntry, EndpointPort, Ipv6Config, PingOptions, PingResult } from './endpoint.js';
import { NeighbourCache } from './neighbour-cache.js';
import { EchoIds, PingSession, armProbeTimeout, finishPing } from './ping.js';

/** Neighbour solicitations sent for one resolution (RFC 4861 MAX_MULTICAST_SOLICIT). */
export const NS_TRIES = 3;
/** Wait between solicitations (RFC 4861 RETRANS_TIMER). */
export const NS_RETRY_NS = 1_000_000_000;
const HOP_LIMIT = 64;
const IPV6_HEADER = 40;
const ICMP_HEADER = 8;

/** ff02::1 */
export const ALL_NODES = Uint8Array.from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

export function isLinkLocal6(a: Uint8Array): boolean {
  return a[0] === 0xfe && (a[1]! & 0xc0) === 0x80;
}

function isUnspecified(a: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== 0) return false;
  return true;
}

function sameAddr(a: Uint8Array, b: Uint8Array, bOff = 0): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[bOff + i]) return false;
  return true;
}

/** One IPv6-enabled L3 interface. */
interface V6If {
  index: number;
  vlan: number | undefined;
  /** link-local first */
  addrs: Ipv6Config[];
  /** solicited-node groups of the addresses */
  groups: Uint8Array[];
}

interface Resolution {
  ifIndex: number;
  ip: Uint8Array;
  src: Uint8Array;
  tries: number;
  waiters: Array<(mac: Uint8Array | null) => void>;
}

type Route6 = { ifIndex: number; src: Uint8Array; self: boolean } | { error: string };

export class Ipv6Stack {
  private readonly ifs = new Map<number, V6If>();
  private readonly cache: NeighbourCache;
  private readonly resolving = new Map<string, Resolution>();
  private readonly sessions = new Map<number, PingSession>();
  /** 48-bit numbers of the group MACs the stack listens to */
  private readonly groupMacs = new Set<number>();
  private readonly echoIds: EchoIds;

  constructor(
    private readonly config: EndpointConfig,
    private readonly port: EndpointPort,
    echoIdSeed: number,
  ) {
    const mac = port.effectiveMac();
    config.interfaces.forEach((l3, index) => {
      if (l3.ipv6 === undefined) return;
      const addrs: Ipv6Config[] = [];
      const ll = l3.ipv6.find((a) => isLinkLocal6(a.address));
      addrs.push(ll ?? { address: linkLocalFromMac(mac), prefix: 64 });
      for (const a of l3.ipv6) if (a !== ll) addrs.push(a);
      this.ifs.set(index, { index, vlan: l3.vlan, addrs, groups: addrs.map((a) => solicitedNodeMulticast(a.address)) });
    });
    this.cache = new NeighbourCache(config.arpTimeoutNs);
    this.echoIds = new EchoIds(echoIdSeed);
    if (this.ifs.size > 0) {
      const macs: Uint8Array[] = [ipv6MulticastMac(ALL_NODES)];
      for (const v of this.ifs.values()) for (const g of v.groups) macs.push(ipv6MulticastMac(g));
      const unique = new Map<number, Uint8Array>();
      for (const m of macs) unique.set(macToNumber(m), m);
      for (const n of unique.keys()) this.groupMacs.add(n);
      port.setMulticastGroups?.([...unique.values()]);
    }
  }

  get enabled(): boolean {
    return this.ifs.size > 0;
  }

  /** Does the stack listen to the multicast MAC at `frame[0..6]`? */
  wantsGroup(frame: Uint8Array): boolean {
    return this.groupMacs.size > 0 && this.groupMacs.has(macToNumber(frame, DST_OFFSET));
  }

  hasInterface(ifIndex: number): boolean {
    return this.ifs.has(ifIndex);
  }

  private vlanText(v: V6If): string {
    return v.vlan === undefined ? '' : ` on VLAN ${v.vlan}`;
  }

  private ownAddress(v: V6If, a: Uint8Array, off = 0): Ipv6Config | undefined {
    return v.addrs.find((x) => sameAddr(x.address, a, off));
  }

  // ------------------------------------------------------------------------------------------
  // Receive

  receive(frame: Uint8Array, l3: number, ifIndex: number): void {
    const v = this.ifs.get(ifIndex);
    if (!v) {
      if (this.port.tracing) this.port.note('ignore', 'E4', `${this.port.id}: IPv6 is not enabled on this interface; ignored`);
      return;
    }
    const ip = parseIpv6Header(frame, l3);
    if (!ip) return;
    const dst = ip.dst;
    const toUs = this.ownAddress(v, dst) !== undefined;
    const toGroup = sameAddr(ALL_NODES, dst) || v.groups.some((g) => sameAddr(g, dst));
    if (!toUs && !toGroup) {
      if (this.port.tracing) this.port.note('ignore', 'E4', `${this.port.id}: IPv6 to ${ipv6ToString(dst)} is not for us; ignored`);
      return;
    }
    if (ip.upperProtocol !== 58) {
      if (this.port.tracing) this.port.note('ignore', 'E4', `${this.port.id}: IPv6 next header ${ip.upperProtocol} has no listener; ignored`);
      return;
    }
    const icmp = parseIcmpv6(frame, ip);
    if (!icmp || !icmp.checksumOk) {
      if (this.port.tracing) this.port.note('ignore', 'E4', `${this.port.id}: malformed ICMPv6 or bad checksum; ignored`);
      return;
    }
    const now = this.port.now();
    if (icmp.type === Icmpv6Type.NeighborSolicitation || icmp.type === Icmpv6Type.NeighborAdvertisement) {
      if (ip.hopLimit !== 255 || icmp.code !== 0 || !icmp.target) {
        if (this.port.tracing) this.port.note('ignore', 'E4', `${this.port.id}: neighbour discovery with hop limit ${ip.hopLimit} (must be 255) or bad code; ignored`);
        return;
      }
      if (icmp.type === Icmpv6Type.NeighborSolicitation) this.receiveNs(frame, v, ip.src, icmp.target, icmp.linkLayerAddress, now);
      else this.receiveNa(v, icmp.target, icmp.linkLayerAddress, icmp.solicited === true, icmp.override === true, now);
      return;
    }
    if (icmp.type === Icmpv6Type.EchoRequest && icmp.code === 0) {
      if (!toUs) return; // echo to a group: not answered
      const data = frame.subarray(icmp.offset + 8, icmp.offset + icmp.length);
      this.answerEcho(frame, v, dst, ip.src, icmp.id, icmp.seq, data, now);
    } else if (icmp.type === Icmpv6Type.EchoReply) {
      const session = this.sessions.get(icmp.id);
      if (!session || session.finished || !session.options.dst6 || !sameAddr(session.options.dst6, ip.src)) return;
      const counted = session.answer(icmp.seq, now, ip.hopLimit, icmp.length);
      if (this.port.tracing) {
        this.port.note(
          'ping-result',
          'E4',
          `${this.port.id}: echo reply from ${ipv6ToString(ip.src)} id ${icmp.id} seq ${icmp.seq} hlim ${ip.hopLimit}${counted ? '' : ' (duplicate or late; not counted)'}`,
        );
      }
      if (counted) this.maybeFinish(session);
    }
  }

  private receiveNs(frame: Uint8Array, v: V6If, src: Uint8Array, target: Uint8Array, sll: Uint8Array | undefined, now: number): void {
    if (!this.ownAddress(v, target)) {
      if (this.port.tracing) this.port.note('ignore', 'E4', `${this.port.id}: neighbour solicitation for ${ipv6ToString(target)}, not ours; ignored`);
      return;
    }
    const dad = isUnspecified(src);
    if (!dad && sll) this.learn(v, src, sll, 'STALE', now, 'solicitation (source link-layer option)');
    const mac = this.port.effectiveMac();
    const dstMac = dad ? ipv6MulticastMac(ALL_NODES) : (sll ?? ethSrcView(frame));
    const na = buildNeighborAdvertisement({
      srcMac: mac,
      dstMac,
      srcIp: target,
      dstIp: dad ? ALL_NODES : src,
      targetIp: target,
      solicited: !dad,
      override: true,
      router: false,
      vlan: v.vlan,
    });
    if (this.port.tracing) {
      this.port.note(
        'nd-advert',
        'E4',
        `${this.port.id}: neighbour advertisement ${ipv6ToString(target)} is-at ${formatMac(mac)} -> ${dad ? 'ff02::1 (DAD probe)' : ipv6ToString(src)}, flags ${dad ? 'O' : 'S, O'}${
          this.vlanText(v)
        }`,
      );
    }
    this.port.transmit(na);
  }

  private receiveNa(v: V6If, target: Uint8Array, tll: Uint8Array | undefined, solicited: boolean, override: boolean, now: number): void {
    if (this.ownAddress(v, target)) {
      if (this.port.tracing) this.port.note('ignore', 'E4', `${this.port.id}: neighbour advertisement for our own ${ipv6ToString(target)} (a duplicate address); ignored`);
      return;
    }
    const e = this.cache.get(v.index, target, now);
    if (!e) {
      if (this.port.tracing) this.port.note('ignore', 'E4', `${this.port.id}: neighbour advertisement for ${ipv6ToString(target)}, not in the cache; ignored (RFC 4861 7.2.5)`);
      return;
    }
    if (e.state === 'INCOMPLETE') {
      if (!tll) return;
      this.learn(v, target, tll, solicited ? 'REACHABLE' : 'STALE', now, solicited ? 'solicited advertisement' : 'unsolicited advertisement');
      return;
    }
    const differs = tll !== undefined && e.mac !== null && formatMac(tll) !== formatMac(e.mac);
    if (!override && differs) {
      if (e.state === 'REACHABLE') e.state = 'STALE';
      return;
    }
    if (tll && (differs || solicited)) this.learn(v, target, tll, solicited ? 'REACHABLE' : 'STALE', now, solicited ? 'solicited advertisement' : 'advertisement (override)');
    else if (solicited) this.learn(v, target, e.mac!, 'REACHABLE', now, 'solicited advertisement');
  }

  private learn(v: V6If, ip: Uint8Array, mac: Uint8Array, state: 'REACHABLE' | 'STALE', now: number, why: string): void {
    this.cache.set(v.index, ip, mac, state, now);
    if (this.port.tracing) this.port.note('nd-learn', 'E4', `${this.port.id}: ${ipv6ToString(ip)} is-at ${formatMac(mac)} ${state}${this.vlanText(v)}, from ${why}`);
    const key = `${v.index}/${ipv6ToString(ip)}`;
    const pending = this.resolving.get(key);
    if (pending) {
      this.resolving.delete(key);
      const m = this.cache.lookup(v.index, ip, now)!;
      for (const w of pending.waiters) w(m);
    }
  }

  private answerEcho(request: Uint8Array, v: V6If, ourAddr: Uint8Array, src: Uint8Array, id: number, seq: number, data: Uint8Array, now: number): void {
    const cached = this.cache.lookup(v.index, src, now);
    const dstMac = cached ?? ethSrcView(request);
    const reply = buildIcmpv6Echo({ type: 'reply', srcMac: this.port.effectiveMac(), dstMac, srcIp: ourAddr, dstIp: src, id, seq, data, hopLimit: HOP_LIMIT, vlan: v.vlan });
    if (this.port.tracing) {
      this.port.note('echo-reply', 'E4', `${this.port.id}: ICMPv6 echo reply to ${ipv6ToString(src)} id ${id} seq ${seq}, ${data.length} data bytes, to ${formatMac(dstMac)}${this.vlanText(v)}`);
    }
    this.port.transmit(reply);
  }

  // ------------------------------------------------------------------------------------------
  // Resolution

  private resolve(v: V6If, ip: Uint8Array, src: Uint8Array, done: (mac: Uint8Array | null) => void): void {
    const now = this.port.now();
    const cached = this.cache.lookup(v.index, ip, now);
    if (cached) {
      done(cached);
      return;
    }
    const key = `${v.index}/${ipv6ToString(ip)}`;
    const pending = this.resolving.get(key);
    if (pending) {
      pending.waiters.push(done);
      return;
    }
    const r: Resolution = { ifIndex: v.index, ip: ip.slice(), src, tries: 0, waiters: [done] };
    this.resolving.set(key, r);
    this.cache.incomplete(v.index, ip, now);
    this.sendNs(v, r, key);
  }

  private sendNs(v: V6If, r: Resolution, key: string): void {
    r.tries++;
    const ns = buildNeighborSolicitation({ srcMac: this.port.effectiveMac(), srcIp: r.src, targetIp: r.ip, vlan: v.vlan });
    if (this.port.tracing) {
      this.port.note(
        'nd-solicit',
        'E4',
        `${this.port.id}: neighbour solicitation who-has ${ipv6ToString(r.ip)} tell ${ipv6ToString(r.src)} to ${ipv6ToString(solicitedNodeMulticast(r.ip))}${
          this.vlanText(v)
        } (try ${r.tries}/${NS_TRIES})`,
      );
    }
    this.port.transmit(ns);
    this.port.setTimer(NS_RETRY_NS, () => {
      if (this.resolving.get(key) !== r) return;
      if (r.tries < NS_TRIES) {
        this.sendNs(v, r, key);
        return;
      }
      this.resolving.delete(key);
      this.cache.remove(v.index, r.ip);
      if (this.port.tracing) this.port.note('local-error', 'E4', `${this.port.id}: no neighbour advertisement for ${ipv6ToString(r.ip)} after ${NS_TRIES} solicitations`);
      for (const w of r.waiters) w(null);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Ping

  private route(dst: Uint8Array): Route6 {
    for (const v of this.ifs.values()) for (const a of v.addrs) if (sameAddr(a.address, dst)) return { ifIndex: v.index, src: a.address, self: true };
    if (isLinkLocal6(dst)) {
      const v = [...this.ifs.values()].find((x) => x.vlan === undefined) ?? [...this.ifs.values()][0];
      if (v) return { ifIndex: v.index, src: v.addrs[0]!.address, self: false };
    }
    for (const v of this.ifs.values()) {
      for (const a of v.addrs) if (!isLinkLocal6(a.address) && sameSubnet6(a.address, dst, a.prefix)) return { ifIndex: v.index, src: a.address, self: false };
    }
    return { error: 'Network is unreachable' };
  }

  private failure(): string {
    return this.config.kind === 'vmk' ? 'Host is down' : 'Destination unreachable: Address unreachable';
  }

  /** Starts an ICMPv6 ping (options checked by the caller; `dst6` set). */
  ping(options: PingOptions, onDone: (result: PingResult) => void): void {
    const dst = options.dst6!.slice();
    const session = new PingSession(this.echoIds.take(this.sessions), { ...options, dst6: dst }, onDone);
    session.pipeOnErrors = false; // iputils' ping -6 prints no pipe for probes that failed ND
    this.sessions.set(session.id, session);
    if (!this.enabled) return this.failBeforeSending(session, 'Network is unreachable', ' (IPv6 is not enabled on this endpoint)');
    const route = this.route(dst);
    if ('error' in route) return this.failBeforeSending(session, route.error, '');
    session.source = ipv6ToString(route.src);
    const packet = IPV6_HEADER + ICMP_HEADER + options.size;
    if (packet > this.config.mtu) return this.failBeforeSending(session, 'Message too long', ` (${packet}-byte packet over the interface MTU ${this.config.mtu}; the lab does not fragment IPv6)`);
    this.probe(session, 0, route);
    for (let k = 1; k < options.count; k++) this.port.setTimer(k * options.intervalNs, () => this.probe(session, k, route));
  }

  private failBeforeSending(session: PingSession, error: string, why: string): void {
    session.failAll(error);
    if (this.port.tracing) this.port.note('local-error', 'E4', `${this.port.id}: ping ${ipv6ToString(session.options.dst6!)}: ${error}${why}`);
    this.finish(session);
  }

  private probe(session: PingSession, index: number, route: { ifIndex: number; src: Uint8Array; self: boolean }): void {
    if (session.finished) return;
    session.issue(index, this.port.now());
    const dst = session.options.dst6!;
    const size = session.options.size;
    const seq = session.seqOf(index);
    if (route.self) {
      session.loopback(index, size + ICMP_HEADER);
      this.maybeFinish(session);
      return;
    }
    const v = this.ifs.get(route.ifIndex)!;
    this.resolve(v, dst, route.src, (mac) => {
      if (session.finished || !session.isOutstanding(index)) return;
      if (!mac) {
        session.fail(index, this.failure(), this.port.now());
        if (this.port.tracing) this.port.note('local-error', 'E4', `${this.port.id}: ping ${ipv6ToString(dst)} seq ${seq}: ${this.failure()}`);
        this.maybeFinish(session);
        return;
      }
      const request = buildIcmpv6Echo({
        type: 'request',
        srcMac: this.port.effectiveMac(),
        dstMac: mac,
        srcIp: route.src,
        dstIp: dst,
        id: session.id,
        seq,
        dataSize: size,
        hopLimit: session.options.ttl ?? HOP_LIMIT,
        vlan: v.vlan,
      });
      if (this.port.tracing) {
        this.port.note(
          'echo-request',
          'E4',
          `${this.port.id}: ICMPv6 echo request to ${ipv6ToString(dst)} id ${session.id} seq ${seq}, ${size} data bytes${
            session.options.ttl !== undefined ? `, hop limit ${session.options.ttl}` : ''
          }, via ${formatMac(mac)}${this.vlanText(v)}`,
        );
      }
      session.sent(index);
      this.port.transmit(request);
      armProbeTimeout(this.port, session, index, (x) => this.maybeFinish(x));
    });
  }

  private maybeFinish(session: PingSession): void {
    if (!session.finished && session.complete) this.finish(session);
  }

  private finish(session: PingSession): void {
    finishPing(this.port, this.sessions, session, () => 'E4', ipv6ToString(session.options.dst6!));
  }

  // ------------------------------------------------------------------------------------------
  // Inspection

  /** The clock's base moved forward (EndpointStack.rebase): neighbour expiries and probe times follow. */
  rebase(deltaNs: number): void {
    this.cache.rebase(deltaNs);
    for (const s of this.sessions.values()) s.rebase(deltaNs);
  }

  neighbours(): EndpointNeighbourEntry[] {
    return this.cache.list(this.port.now(), (i) => this.ifs.get(i)?.vlan);
  }

  addresses(): { vlan?: number; addresses: string[] }[] {
    return [...this.ifs.values()].map((v) => ({ ...(v.vlan !== undefined ? { vlan: v.vlan } : {}), addresses: v.addrs.map((a) => `${ipv6ToString(a.address)}/${a.prefix}`) }));
  }
}
