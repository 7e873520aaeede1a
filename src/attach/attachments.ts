/**
 * Attachments: real hosts join the lab (docs/attachments.md). A topology's `attachments` connect
 * physical host NICs — the nodes that stand for outside hosts — to real transports:
 *  - `vxlan`: RFC 7348 over UDP; one socket per local address and port carries many VNIs; sends
 *    always go to the configured remote port (the kernel sends *from* a hashed source port);
 *  - `udp`: one raw Ethernet frame per datagram (GNS3/uBridge, QEMU `-netdev dgram`);
 *  - `stream`: QEMU `-netdev stream` framing over TCP or a UNIX stream socket, server or client
 *    (the client reconnects).
 * Frames from outside are injected at the NIC at arrival time (the NIC sends them onto its cable:
 * the same rules, trace, counters, captures and drops as any injected frame); frames the fabric
 * delivers to the NIC leave on the socket. Bad datagrams are counted per reason and dropped, never
 * thrown. Sockets bind only the addresses the topology names, and accept only the peer address.
 *
 * The lab itself is reached through an `AttachTarget` (inject at the present, set a cable's
 * state), so the same code serves the server (real-time clock driver) and tests.
 */
import { EventEmitter } from 'node:events';
import dgram from 'node:dgram';
import net from 'node:net';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import type { EndpointStackFactory } from '../engine/index.js';
import type { AttachmentDoc } from '../topology/schema.js';
import { ETH_HEADER_LEN, MAX_FRAME_LEN } from '../wire/ethernet.js';
import { ATTACH_REASONS, VXLAN_PORT_HINT, type AttachReason } from './attach-reasons.js';
import { AttachError } from './attach-error.js';
import { relayStackFactory, type RelaySink } from './relay-stack.js';
import { StreamDecoder, encodeStreamFrame } from './stream-framing.js';
import { VXLAN_HEADER_LEN, decodeVxlan, encodeVxlan } from './vxlan-header.js';
import { vxlanVni } from '../wire/vxlan.js';
import { decodeCut, encodeCut, isCutDatagram } from './cut-header.js';

/** What the attachments need of the running lab. */
export interface AttachTarget {
  /** Injects `frame` at `iface` at the present (may throw: the lab refuses it); `frameId`: the id it had in the partition it came from. */
  inject(iface: string, frame: Uint8Array, frameId?: number): void;
  /** Brings the cable of `iface` up or down (the peer went silent, disconnected, came back). */
  setLinkState(iface: string, up: boolean): void;
}

export type AttachmentState = 'up' | 'down' | 'listening' | 'connecting';

/**
 * A cut cable of a partitioned lab (partition-plan.ts): a `vxlan` attachment whose peer is the
 * partition at the cable's other end. Its datagrams carry the cut shim (cut-header.ts): frames
 * keep their ids across the cut, hellos every `helloMs` tell the peer is alive (the cable shows
 * down after the attachment's `silenceSeconds` without one), and both ends' cable state crosses.
 */
export interface CutOptions {
  /** the partition at the other end */
  peer: string;
  /** the cable's end in this partition (`esxi-01:vmnic0`) */
  inside: string;
  /** the cable as the topology writes it (`esxi-01:vmnic0 - core-1:eth1`) */
  cable: string;
  /** the topology's state of the cable */
  up: boolean;
  /** a hello every helloMs */
  helloMs: number;
}

export interface AttachmentStatus {
  name: string;
  interface: string;
  type: AttachmentDoc['type'];
  /** where we are (`address:port`, a UNIX path) and whom we talk to */
  local: string;
  remote: string;
  vni?: number;
  /** up: frames flow (stream: connected; datagrams: not silent); down: silent or disconnected */
  state: AttachmentState;
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  drops: Partial<Record<AttachReason, number>>;
  /** a cut cable: the peer partition, and the cable's state at each end (up: not pulled there) */
  cut?: { peer: string; inside: string; cable: string; localUp: boolean; peerUp: boolean };
}

export interface SocketStatus {
  /** `udp address:port` */
  local: string;
  /** drops no attachment can be named for (short datagrams, bad flags, unknown VNI) */
  drops: Partial<Record<AttachReason, number>>;
}

export interface AttachDrop {
  reason: AttachReason;
  /** the attachment, when one can be named */
  attachment?: string;
  /** the socket (`udp address:port`) or the attachment's local end */
  where: string;
  /** the sender (`address:port`), when known */
  from?: string;
  detail: string;
}

/** Stream sockets hold at most this much unsent before frames are dropped TX_QUEUE_FULL. */
const STREAM_TX_LIMIT = 4 * 1024 * 1024;

function addr4(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function bindError(err: NodeJS.ErrnoException, what: string, vxlan: boolean): AttachError {
  const why = err.code === 'EADDRINUSE'
    ? 'it is in use (another process, or a kernel vxlan device on that port)'
    : err.code === 'EADDRNOTAVAIL'
    ? 'the address is not configured on this machine (attachments bind only the address the topology names)'
    : err.code === 'EACCES'
    ? 'permission denied'
    : err.message;
  return new AttachError(`cannot bind ${what}: ${why}${vxlan ? `. ${VXLAN_PORT_HINT}` : ''}`);
}

/** One attachment at run time. */
class Att {
  rxFrames = 0;
  rxBytes = 0;
  txFrames = 0;
  txBytes = 0;
  readonly drops: Partial<Record<AttachReason, number>> = {};
  /** shown state of the NIC's cable as we last set it (null: as the topology says) */
  linkShown: boolean | null = null;
  lastRxMs = 0;
  silenceTimer: ReturnType<typeof setTimeout> | undefined;
  /** sends one frame to the peer (set when the transport opens) */
  send: RelaySink = () => this.owner.drop(this, 'TX_NO_PEER', 'the attachment is not open');
  state: AttachmentState = 'up';
  /** a cut cable: our end's state (a user may pull the cable on this side), the peer's, the hello */
  localUp = true;
  peerUp = true;
  hello: (() => void) | undefined;
  helloTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly doc: AttachmentDoc,
    readonly owner: Attachments,
    readonly cut?: CutOptions,
  ) {
    if (cut) {
      this.localUp = cut.up;
      this.peerUp = cut.up;
    }
  }

  /** The state the NIC's cable should show: heard from lately, and (a cut) up at both ends. */
  get wanted(): boolean {
    return this.state === 'up' && this.localUp && this.peerUp;
  }

  get local(): string {
    const d = this.doc;
    if (d.type === 'stream') return d.tcp ? `tcp ${d.tcp.address}:${d.tcp.port}` : `unix ${d.unix}`;
    return `udp ${d.local.address}:${d.local.port}`;
  }

  get remote(): string {
    const d = this.doc;
    if (d.type === 'stream') return d.role === 'server' ? (d.tcp ? `${d.peer ?? '?'}` : 'the UNIX peer') : this.local;
    return `${d.remote.address}:${d.remote.port}`;
  }

  countTx(n: number): void {
    this.txFrames++;
    this.txBytes += n;
  }
}

class VxlanSocket {
  readonly byVni = new Map<number, Att>();
  readonly drops: Partial<Record<AttachReason, number>> = {};
  socket: dgram.Socket | null = null;
  constructor(
    readonly address: string,
    readonly port: number,
  ) {}
  get key(): string {
    return `udp ${this.address}:${this.port}`;
  }
}

export class Attachments extends EventEmitter {
  private readonly atts: Att[];
  private readonly byIface = new Map<string, Att>();
  private readonly vxlanSockets = new Map<string, VxlanSocket>();
  private readonly closers: Array<() => Promise<void>> = [];
  private target: AttachTarget | null = null;
  private closed = false;
  private settingLink = false;

  /**
   * `docs`: attachments on physical host NICs (withAttachmentStandIns has replaced those on
   * switch ports and vmnics); `cuts`: those that are cut cables of a partitioned lab, by name.
   */
  constructor(docs: readonly AttachmentDoc[], options: { cuts?: ReadonlyMap<string, CutOptions> } = {}) {
    super();
    this.atts = docs.map((d) => new Att(d, this, d.type === 'vxlan' ? options.cuts?.get(d.name) : undefined));
    for (const a of this.atts) this.byIface.set(a.doc.interface, a);
  }

  /** True while an attachment sets a cable's state in the lab (the peer vanished, came back, pulled its end). */
  get settingLinkState(): boolean {
    return this.settingLink;
  }

  /**
   * A user changes the state of a cut cable in this partition (`iface`: its inside end or its
   * stand-in's NIC): the peer partition is told at once. Returns the state the cable takes here
   * (down while the peer's end is down or the peer is silent), or null when `iface` is on no cut.
   */
  cutCableChanged(iface: string, up: boolean): boolean | null {
    const a = this.atts.find((x) => x.cut !== undefined && (x.doc.interface === iface || x.cut.inside === iface));
    if (!a) return null;
    a.localUp = up;
    a.hello?.();
    a.linkShown = a.wanted;
    this.emit('link', a.doc.name, a.wanted);
    return a.wanted;
  }

  get size(): number {
    return this.atts.length;
  }

  /** The interfaces attached (`node:interface` of physical host NICs). */
  get interfaces(): ReadonlySet<string> {
    return new Set(this.byIface.keys());
  }

  /** The stack factory for `createLab`: attached NICs relay to their attachment, the rest get `base`. */
  stackFactory(base?: EndpointStackFactory): EndpointStackFactory {
    const acceptAll = new Set(this.atts.filter((a) => a.doc.acceptAllMacs === true).map((a) => a.doc.interface));
    const crossings = new Map(
      this.atts.filter((a) => a.cut).map((
        a,
      ) => [a.doc.interface, `leaves for partition ${a.cut!.peer} over the cut cable ${a.cut!.cable} (VNI ${(a.doc as { vni: number }).vni}) and keeps its id there`]),
    );
    return relayStackFactory(
      this.interfaces,
      (iface) => {
        const a = this.byIface.get(iface);
        return a ? a.send : null;
      },
      base,
      acceptAll,
      crossings,
    );
  }

  /** Opens every socket (binds, listens, starts connecting). Throws AttachError and closes what opened. */
  async open(): Promise<void> {
    try {
      for (const a of this.atts) {
        const d = a.doc;
        if (d.type === 'vxlan') await this.openVxlan(a, d);
        else if (d.type === 'udp') await this.openUdp(a, d);
        else await this.openStream(a, d);
      }
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** The lab frames go to (null: none; arrivals are dropped INJECT_REFUSED). Sets the shown link state of stream attachments. */
  connect(target: AttachTarget | null): void {
    this.target = target;
    if (target === null) return;
    for (const a of this.atts) {
      a.linkShown = null;
      if (a.doc.type === 'stream') this.showLink(a, a.state === 'up');
      else if (a.doc.silenceSeconds !== undefined) this.armSilence(a, Date.now());
      if (a.cut) {
        // a new lab (a topology load): the cable is as its topology says at our end (and shown so:
        // bringing an up cable up again is no change); the peer hears it now
        a.localUp = a.cut.up;
        a.linkShown = a.cut.up;
        a.hello?.();
        if (a.hello && a.helloTimer === undefined) {
          a.helloTimer = setInterval(a.hello, a.cut.helloMs);
          a.helloTimer.unref?.();
        }
        if (!a.wanted) this.showLink(a, false);
      }
    }
  }

  status(): { attachments: AttachmentStatus[]; sockets: SocketStatus[] } {
    return {
      attachments: this.atts.map((a) => ({
        name: a.doc.name,
        interface: a.doc.interface,
        type: a.doc.type,
        local: a.local,
        remote: a.remote,
        ...(a.doc.type === 'vxlan' ? { vni: a.doc.vni } : {}),
        state: a.state,
        rxFrames: a.rxFrames,
        rxBytes: a.rxBytes,
        txFrames: a.txFrames,
        txBytes: a.txBytes,
        drops: { ...a.drops },
        ...(a.cut ? { cut: { peer: a.cut.peer, inside: a.cut.inside, cable: a.cut.cable, localUp: a.localUp, peerUp: a.peerUp } } : {}),
      })),
      sockets: [...this.vxlanSockets.values()].map((s) => ({ local: s.key, drops: { ...s.drops } })),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.target = null;
    for (const a of this.atts) {
      if (a.silenceTimer) clearTimeout(a.silenceTimer);
      if (a.helloTimer) clearInterval(a.helloTimer);
    }
    const cs = this.closers.splice(0);
    await Promise.all(cs.map((c) => c().catch(() => undefined)));
  }

  // --- arrivals and drops ---------------------------------------------------------------------

  /** @internal counts and reports a drop */
  drop(a: Att | null, reason: AttachReason, detail: string, where?: string, from?: string, sock?: VxlanSocket): void {
    const counts = a ? a.drops : sock!.drops;
    counts[reason] = (counts[reason] ?? 0) + 1;
    const ev: AttachDrop = {
      reason,
      where: where ?? (a ? a.local : sock!.key),
      detail: detail || ATTACH_REASONS[reason],
      ...(a ? { attachment: a.doc.name } : {}),
      ...(from !== undefined ? { from } : {}),
    };
    this.emit('drop', ev);
  }

  /** The peer was heard from (a frame, or a cut's hello): a silent attachment's cable comes back. */
  private heard(a: Att): void {
    if (a.doc.type !== 'stream' && a.doc.silenceSeconds !== undefined) {
      a.lastRxMs = Date.now();
      if (a.state !== 'up') a.state = 'up';
    }
    this.showLink(a, a.wanted);
  }

  private arrive(a: Att, frame: Uint8Array, frameId?: number): void {
    a.rxFrames++;
    a.rxBytes += frame.length;
    const t = this.target;
    if (t === null) {
      this.drop(a, 'INJECT_REFUSED', 'no lab is running');
      return;
    }
    if ((a.doc.type !== 'stream' && a.doc.silenceSeconds !== undefined) || a.cut) this.heard(a);
    try {
      t.inject(a.doc.interface, frame, frameId);
    } catch (err) {
      this.drop(a, 'INJECT_REFUSED', err instanceof Error ? err.message : String(err));
      return;
    }
    this.emit('rx', a.doc.name, frame);
  }

  private showLink(a: Att, up: boolean): void {
    const t = this.target;
    if (t === null || a.linkShown === up) return;
    a.linkShown = up;
    this.settingLink = true;
    try {
      t.setLinkState(a.doc.interface, up);
    } catch {
      // the lab refused (no cable on that NIC): nothing to show
    } finally {
      this.settingLink = false;
    }
    this.emit('link', a.doc.name, up);
  }

  private armSilence(a: Att, fromMs: number): void {
    const d = a.doc;
    if (d.type === 'stream' || d.silenceSeconds === undefined) return;
    const ms = d.silenceSeconds * 1000;
    a.lastRxMs = Math.max(a.lastRxMs, fromMs);
    const check = (): void => {
      a.silenceTimer = undefined;
      if (this.closed) return;
      const due = a.lastRxMs + ms - Date.now();
      if (due > 0) {
        a.silenceTimer = setTimeout(check, due);
        a.silenceTimer.unref?.();
        return;
      }
      if (a.state === 'up') {
        a.state = 'down';
        this.showLink(a, false);
      }
      // the next frame brings it up (arrive) and re-arms
      a.silenceTimer = setTimeout(check, ms);
      a.silenceTimer.unref?.();
    };
    if (a.silenceTimer) clearTimeout(a.silenceTimer);
    a.silenceTimer = setTimeout(check, ms);
    a.silenceTimer.unref?.();
  }

  private txCallback(a: Att): (err: Error | null) => void {
    return (err) => {
      if (err) this.drop(a, 'TX_ERROR', `${err.message}${a.doc.type === 'vxlan' ? `. ${VXLAN_PORT_HINT}` : ''}`);
    };
  }

  // --- vxlan ----------------------------------------------------------------------------------

  private async openVxlan(a: Att, d: Extract<AttachmentDoc, { type: 'vxlan' }>): Promise<void> {
    const key = `${d.local.address}:${d.local.port}`;
    let vs = this.vxlanSockets.get(key);
    if (!vs) {
      const s = new VxlanSocket(d.local.address, d.local.port);
      const socket = await this.bindUdp(d.local.address, d.local.port, true, a.doc.name);
      s.socket = socket;
      socket.on('message', (msg, rinfo) => this.vxlanMessage(s, msg, rinfo));
      this.vxlanSockets.set(key, s);
      vs = s;
    }
    vs.byVni.set(d.vni, a);
    const socket = vs.socket!;
    const cb = this.txCallback(a);
    const { vni } = d;
    const { address, port } = d.remote;
    if (a.cut) {
      a.send = (frame, frameId) => {
        a.countTx(frame.length);
        socket.send(encodeCut(vni, a.localUp, frameId ?? 0, frame), port, address, cb);
        this.emit('tx', d.name, frame, frameId);
      };
      a.hello = () => {
        if (!this.closed) socket.send(encodeCut(vni, a.localUp, 0, null), port, address, cb);
      };
      return;
    }
    a.send = (frame) => {
      a.countTx(frame.length);
      socket.send(encodeVxlan(vni, frame), port, address, cb);
      this.emit('tx', d.name, frame);
    };
  }

  private vxlanMessage(s: VxlanSocket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const from = `${rinfo.address}:${rinfo.port}`;
    if (msg.length >= VXLAN_HEADER_LEN) {
      const c = s.byVni.get(vxlanVni(msg));
      if (c?.cut) {
        this.cutMessage(s, c, msg, from, rinfo.address);
        return;
      }
    }
    const r = decodeVxlan(msg);
    const a = r.ok || r.vni !== undefined ? s.byVni.get(r.ok ? r.vni : r.vni!) : undefined;
    if (!r.ok) {
      const detail = `${ATTACH_REASONS[r.reason]} (${msg.length}-byte datagram from ${from}${r.vni !== undefined ? `, VNI ${r.vni}` : ''}). ${VXLAN_PORT_HINT}`;
      if (a && addr4(rinfo.address) === (a.doc as { remote: { address: string } }).remote.address) this.drop(a, r.reason, detail, s.key, from);
      else this.drop(null, r.reason, detail, s.key, from, s);
      return;
    }
    if (!a) {
      const known = [...s.byVni.keys()].join(', ');
      this.drop(null, 'UNKNOWN_VNI', `VNI ${r.vni} from ${from} is not one of this socket's (${known}). ${VXLAN_PORT_HINT}`, s.key, from, s);
      return;
    }
    const peer = (a.doc as Extract<AttachmentDoc, { type: 'vxlan' }>).remote.address;
    if (addr4(rinfo.address) !== peer) {
      this.drop(a, 'UNKNOWN_PEER', `a datagram for VNI ${r.vni} came from ${from}, not from the configured peer ${peer}`, s.key, from);
      return;
    }
    // the lab keeps frames (captures, stacks): a copy of the view into Node's buffer
    this.arrive(a, r.frame.slice());
  }

  /** A datagram for a cut cable: from the peer partition only, with the shim (a frame and its id, or a hello). */
  private cutMessage(s: VxlanSocket, a: Att, msg: Buffer, from: string, address: string): void {
    const peer = (a.doc as Extract<AttachmentDoc, { type: 'vxlan' }>).remote.address;
    if (addr4(address) !== peer) {
      this.drop(a, 'UNKNOWN_PEER', `a datagram for the cut cable ${a.cut!.cable} came from ${from}, not from partition ${a.cut!.peer} (${peer})`, s.key, from);
      return;
    }
    const r = isCutDatagram(msg) ? decodeCut(msg) : ({ ok: false, reason: 'CUT_BAD_SHIM' } as const);
    if (!r.ok) {
      this.drop(a, r.reason, `${ATTACH_REASONS[r.reason]} (${msg.length}-byte datagram from ${from}, cut cable ${a.cut!.cable})`, s.key, from);
      return;
    }
    a.peerUp = r.up;
    if (r.frame === null) {
      this.heard(a);
      return;
    }
    this.arrive(a, r.frame.slice(), r.frameId === 0 ? undefined : r.frameId);
  }

  // --- udp ------------------------------------------------------------------------------------

  private bindUdp(address: string, port: number, vxlan: boolean, name: string): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.close();
        const e = bindError(err, `UDP ${address}:${port} for attachment "${name}"`, vxlan);
        reject(new AttachError(e.message, name));
      };
      socket.once('error', onError);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off('error', onError);
        // later socket errors (ICMP unreachable and the like) never take the process down
        socket.on('error', (err) => this.emit('socket-error', name, err));
        this.closers.push(() => new Promise<void>((r) => socket.close(() => r())));
        resolve(socket);
      });
    });
  }

  private async openUdp(a: Att, d: Extract<AttachmentDoc, { type: 'udp' }>): Promise<void> {
    const socket = await this.bindUdp(d.local.address, d.local.port, false, d.name);
    const where = a.local;
    socket.on('message', (msg, rinfo) => {
      const from = `${rinfo.address}:${rinfo.port}`;
      if (addr4(rinfo.address) !== d.remote.address) {
        this.drop(a, 'UNKNOWN_PEER', `a datagram came from ${from}, not from the configured peer ${d.remote.address}`, where, from);
        return;
      }
      if (msg.length < ETH_HEADER_LEN) {
        this.drop(a, 'FRAME_TOO_SHORT', `${ATTACH_REASONS.FRAME_TOO_SHORT} (${msg.length} bytes from ${from})`, where, from);
        return;
      }
      if (msg.length > MAX_FRAME_LEN) {
        this.drop(a, 'FRAME_TOO_LONG', `${ATTACH_REASONS.FRAME_TOO_LONG} (${msg.length} bytes from ${from})`, where, from);
        return;
      }
      this.arrive(a, Uint8Array.prototype.slice.call(msg));
    });
    const cb = this.txCallback(a);
    const { address, port } = d.remote;
    a.send = (frame) => {
      a.countTx(frame.length);
      socket.send(frame, port, address, cb);
      this.emit('tx', d.name, frame);
    };
  }

  // --- stream ---------------------------------------------------------------------------------

  private async openStream(a: Att, d: Extract<AttachmentDoc, { type: 'stream' }>): Promise<void> {
    let conn: net.Socket | null = null;
    a.state = d.role === 'server' ? 'listening' : 'connecting';
    const setConn = (c: net.Socket | null): void => {
      conn = c;
      const up = c !== null;
      a.state = up ? 'up' : d.role === 'server' ? 'listening' : 'connecting';
      this.showLink(a, up);
      this.emit('connection', d.name, up);
    };
    const attach = (c: net.Socket): void => {
      c.setNoDelay(true);
      const decoder = new StreamDecoder(
        (frame) => this.arrive(a, frame),
        (reason) => this.drop(a, reason, `${ATTACH_REASONS[reason]} (from ${a.remote})`),
      );
      c.on('data', (chunk: Buffer) => {
        if (!decoder.push(chunk)) c.destroy();
      });
      c.on('error', () => undefined); // 'close' follows
      c.on('close', () => {
        if (conn === c) setConn(null);
      });
      setConn(c);
    };
    a.send = (frame) => {
      const c = conn;
      if (c === null || c.destroyed) {
        this.drop(a, 'TX_NO_PEER', `${ATTACH_REASONS.TX_NO_PEER} (${a.local})`);
        return;
      }
      if (c.writableLength > STREAM_TX_LIMIT) {
        this.drop(a, 'TX_QUEUE_FULL', ATTACH_REASONS.TX_QUEUE_FULL);
        return;
      }
      a.countTx(frame.length);
      c.write(encodeStreamFrame(frame));
      this.emit('tx', d.name, frame);
    };
    if (d.role === 'server') {
      const server = net.createServer((c) => {
        const from = addr4(c.remoteAddress ?? '');
        if (d.tcp && from !== d.peer) {
          this.drop(a, 'UNKNOWN_PEER', `a connection came from ${from}:${c.remotePort}, not from the configured peer ${d.peer}`, a.local, `${from}:${c.remotePort}`);
          c.destroy();
          return;
        }
        // one peer at a time: a new connection replaces the old one (the peer restarted)
        const old = conn;
        if (old !== null) {
          conn = null;
          old.destroy();
        }
        attach(c);
      });
      if (d.unix && existsSync(d.unix) && lstatSync(d.unix).isSocket()) unlinkSync(d.unix); // a stale socket of an earlier run
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => reject(bindError(err, `${a.local} for attachment "${d.name}"`, false)));
        const onListen = (): void => {
          server.removeAllListeners('error');
          server.on('error', (err) => this.emit('socket-error', d.name, err));
          resolve();
        };
        if (d.tcp) server.listen({ host: d.tcp.address, port: d.tcp.port, exclusive: true }, onListen);
        else server.listen(d.unix!, onListen);
      });
      this.closers.push(
        () =>
          new Promise<void>((r) => {
            const c = conn;
            c?.destroy();
            server.close(() => r());
          }),
      );
      return;
    }
    // client: connect, and again after reconnectMs whenever the connection ends
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const dial = (): void => {
      timer = undefined;
      if (stopped) return;
      const c = d.tcp ? net.connect({ host: d.tcp.address, port: d.tcp.port }) : net.connect(d.unix!);
      let connected = false;
      c.once('connect', () => {
        connected = true;
        attach(c);
      });
      c.on('error', () => undefined);
      c.once('close', () => {
        if (!connected) this.emit('connect-failed', d.name);
        if (!stopped) {
          timer = setTimeout(dial, d.reconnectMs);
          timer.unref?.();
        }
      });
    };
    dial();
    this.closers.push(async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      conn?.destroy();
    });
  }
}
