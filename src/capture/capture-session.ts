/**
 * A capture session: listens to a lab's trace stream (src/engine/trace.ts), keeps the events
 * that carry a capture `point` at the selected points and passing the filter, and hands them as
 * packets to any number of outputs:
 * - a file or a sink, as pcapng (one interface per selected point, declared before the first
 *   packet; direction, packet id = the trace's frameId shared by every copy of a frame, and the
 *   engine's one-line decision as the packet comment) or classic pcap;
 * - a bounded in-memory recording (oldest packets overwritten first), to download later as a
 *   file (`toBytes`);
 * - live listeners and live streams (`subscribe`, `stream`) that start from now.
 *
 * Timestamps: virtual time anchored to the wall clock — the lab's start time when the lab has
 * one (LabOptions.wallClockStartMs), else the moment the session started. `attach` moves the
 * session to a fresh lab of the same topology (the `test` command runs one lab per test): its
 * packets follow the previous lab's after 1 ms, and packet ids continue after the previous ones,
 * so one file holds all tests without overlaps.
 *
 * Cost: the session listens through the lab's point taps (`trace.tapPoints`), so the fabric
 * builds no trace event objects for it; per packet one array lookup by
 * interface, the filter (in place), and for a pcapng output one block encoded straight into the
 * writer's buffer (a file: 256 KiB chunks) with numbers only: the block's options (direction,
 * packet id slot, the comment's bytes) from one template per point and comment (EpbTemplate),
 * the comment's bytes from a cache keyed by its text, the timestamp from 32-bit halves. A
 * CapturedPacket object (and a copy of the bytes, and a BigInt timestamp) only when something
 * records or listens.
 */
import { capturePointCode, type Lab, type PointEvent } from '../engine/index.js';
import type { CaptureDirection, CapturePacketInput } from './capture-file.js';
import { compileCaptureFilter, directionCode, type CaptureFilter, type CaptureFilterSpec } from './capture-filter.js';
import { CAPTURE_POINT_NAMES, listCapturePoints, selectCapturePoints, type CapturePointSpec } from './capture-points.js';
import { FileSink } from './file-sink.js';
import { PcapWriter } from './pcap-writer.js';
import { EpbTemplateCache, PcapngWriter, encodeComment, type EpbTemplate } from './pcapng-writer.js';

/** pcapng; classic pcap with microsecond (`pcap`) or nanosecond (`pcap-ns`) timestamps. */
export type CaptureFormatName = 'pcapng' | 'pcap' | 'pcap-ns';
export const CAPTURE_FORMATS: readonly CaptureFormatName[] = ['pcapng', 'pcap', 'pcap-ns'];

/** One packet at one capture point (what recordings and live listeners get). */
export interface CapturedPacket {
  /** `node:interface:Point` or `Drop` */
  pointId: string;
  /** index into the session's `points` */
  pointIndex: number;
  /** ns since the Unix epoch */
  timestampNs: bigint;
  /** the bytes at that point (a copy the packet owns) */
  data: Uint8Array;
  direction?: CaptureDirection;
  /** the pcapng packet id: the engine's frameId (plus the ids of earlier attached labs) */
  frameId: number;
  /** the engine's decision line (for Drop: `dropped CODE (RULE): … (at node:iface)`) */
  comment: string;
}

export type CaptureListener = (packet: CapturedPacket) => void;

export interface CaptureRecordOptions {
  /** packets kept at most (oldest overwritten); default 100,000 */
  maxPackets?: number;
  /** bytes of frame data kept at most; default 64 MiB */
  maxBytes?: number;
}

export interface CaptureStreamOptions {
  /** default pcapng */
  format?: CaptureFormatName;
  /** only these point ids (default: every selected point) */
  pointIds?: ReadonlySet<string>;
  /** pcapng section comment */
  comment?: string;
}

export interface CaptureSessionOptions {
  /** selectors: `node:iface`, `node:iface:Point`, `Point`, `node`, `Drop`; default every point */
  points?: readonly string[];
  filter?: CaptureFilterSpec | CaptureFilter;
  /** write to this file (closed by `stop`) */
  file?: string;
  /** or stream to this sink */
  sink?: (chunk: Uint8Array) => void;
  /** format of `file` / `sink`; default pcapng */
  format?: CaptureFormatName;
  /** keep packets in memory for `recorded` / `toBytes` */
  record?: boolean | CaptureRecordOptions;
  /** ns since the epoch that virtual time 0 stands for (default: see the file comment) */
  epochNs?: bigint;
  /** pcapng section comment of `file` / `sink` */
  comment?: string;
  /** packet ids continue after this one (a session that follows another on a new lab: see lastPacketId) */
  packetIdOffset?: number;
  /**
   * write the engine's decision line as each packet's comment (pcapng opt_comment) in the file /
   * sink and streams; default true. Recordings and listeners get it either way.
   */
  comments?: boolean;
}

export interface CaptureStatus {
  points: CapturePointSpec[];
  /** packets captured since the start (or the last clear) */
  captured: number;
  /** packets in the recording */
  recorded: number;
  /** packets forgotten because the recording was full */
  overwritten: number;
  /** recording limit (packets); 0 when not recording */
  limit: number;
}

/** A writer and the interface index of each session point in it (-1: not in this output). */
interface Output {
  writer: PcapngWriter | PcapWriter;
  /** the writer when it is pcapng (written with writeEpbTemplate: no BigInt, no objects) */
  fast: PcapngWriter | null;
  ifIndex: Int32Array;
  /** per session point: the block template last written there (fast outputs) */
  templates: (EpbTemplate | null)[];
  /** the templates made, by comment option and session point */
  byComment: EpbTemplateCache<Uint8Array | null>;
  close: (() => void) | null;
  stopped: boolean;
}

/** PointEvent.pointCode of Drop (CAPTURE_POINT_NAMES.indexOf('Drop')) */
const DROP_CODE = capturePointCode('Drop');
/** from this code on, a point is on a cable (UplinkRcv/Snd, PhysRx/Tx, HostRx/Tx) */
const FIRST_CABLE_CODE = capturePointCode('UplinkRcv');

const TWO32 = 4294967296;
/** Ethernet's minimum frame without FCS: what a NIC puts on the wire at least. */
export const MIN_WIRE_FRAME = 60;

function padForWire(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(MIN_WIRE_FRAME);
  out.set(frame);
  return out;
}
/** distinct comment texts kept encoded at most */
const COMMENT_CACHE_MAX = 4096;

/** Per interface of the attached lab: the session point index of each point (-1: not selected). */
interface IfaceSlots {
  slots: Int32Array;
  untaggedVlan: number;
  /** the detail of the last drop here and its encoded comment (`detail (at node:iface)`) */
  dropText: string | null;
  dropBytes: Uint8Array | null;
}

/** The format a file name asks for: `.pcap` -> pcap, anything else pcapng. */
export function captureFormatOfPath(file: string): CaptureFormatName {
  return /\.pcap$/i.test(file) ? 'pcap' : 'pcapng';
}

/** Buffer of a file output's pcapng writer (the file sink writes each full buffer at once). */
const FILE_BUFFER_BYTES = 256 * 1024;

/**
 * A writer of `format` over `points`, headers sent to `sink` at once. `buffered`: `sink` writes
 * what it gets before returning (a file), so pcapng blocks are gathered in one reused buffer.
 */
function makeWriter(format: CaptureFormatName, points: readonly CapturePointSpec[], sink: (c: Uint8Array) => void, comment?: string, buffered = false): PcapngWriter | PcapWriter {
  if (format === 'pcapng') {
    return new PcapngWriter({
      sink,
      interfaces: points.map((p) => ({ name: p.name, description: p.description })),
      shbOptions: comment !== undefined ? { comment } : {},
      ...(buffered ? { bufferBytes: FILE_BUFFER_BYTES, sinkCopies: true } : {}),
    });
  }
  if (format === 'pcap' || format === 'pcap-ns') return new PcapWriter({ sink, resolution: format === 'pcap-ns' ? 'ns' : 'us' });
  throw new RangeError(`unknown capture format "${String(format)}"; use ${CAPTURE_FORMATS.join(', ')}`);
}

/** A capture file of `packets` (each at its `pointIndex` in `points`). */
export function encodeCapture(points: readonly CapturePointSpec[], packets: Iterable<CapturedPacket>, format: CaptureFormatName = 'pcapng', comment?: string): Buffer {
  const chunks: Uint8Array[] = [];
  const w = makeWriter(format, points, (c) => void chunks.push(c), comment);
  const byId = new Map(points.map((p, i) => [p.id, i]));
  for (const p of packets) {
    const i = byId.get(p.pointId);
    if (i === undefined) continue;
    const input: CapturePacketInput = { interface: i, timestampNs: p.timestampNs, data: p.data, packetId: p.frameId };
    if (p.direction) input.direction = p.direction;
    if (p.comment) input.comment = p.comment;
    w.writePacket(input);
  }
  w.end();
  return Buffer.concat(chunks);
}

function defaultEpochNs(lab: Lab): bigint {
  // Lab.wallClockNs() = wallClockStartMs * 1e6 + now, a double: recover the whole ms exactly.
  const startMs = Math.round((lab.wallClockNs() - lab.now) / 1e6);
  if (startMs !== 0) return BigInt(startMs) * 1_000_000n;
  return BigInt(Date.now()) * 1_000_000n - lab.nowNs();
}

export class CaptureSession {
  /** the selected points, in lab order (Drop last); pcapng interface i = points[i] */
  readonly points: readonly CapturePointSpec[];
  readonly filter: CaptureFilter;
  /** the format of the file/sink output given at construction (pcapng when none) */
  readonly format: CaptureFormatName;
  /** ns since the epoch of the first lab's virtual time 0 */
  readonly epochNs: bigint;

  private lab: Lab;
  private unsubscribe: (() => void) | null = null;
  /** per interface, by position in the lab's interfaces() (point taps give that index) */
  private slotsByIndex: (IfaceSlots | undefined)[] = [];
  /** epb_flags of each point: 1 inbound, 2 outbound, 0 none */
  private readonly epbFlags: Uint8Array;
  /** encoded opt_comment options by comment text (the engine repeats its detail strings) */
  private commentBytes = new Map<string, Uint8Array>();
  /** per session point: the last comment text written there and its encoded option */
  private readonly lastText: (string | null)[];
  private readonly lastBytes: (Uint8Array | null)[];
  /** write the engine's decision as each packet's comment (CaptureSessionOptions.comments) */
  private readonly comments: boolean;
  private readonly pointIndexById: Map<string, number>;
  private readonly dropIndex: number;
  private readonly dirCodes: Uint8Array;
  private readonly directions: (CaptureDirection | undefined)[];
  private readonly outputs: Output[] = [];
  private readonly listeners = new Set<{ ids: ReadonlySet<string> | null; fn: CaptureListener }>();
  private readonly perPoint: Float64Array;
  /** reused for every writer call */
  private readonly input: CapturePacketInput = { interface: 0, timestampNs: 0n, data: new Uint8Array(0) };

  // timeline of attached labs
  private offsetNs = 0n;
  /** epochNs + offsetNs + the lab's clock base (Lab.clockBaseNs): the timestamp of event time 0 */
  private baseNs = 0n;
  /** stops listening to the lab's clock rebases */
  private offRebase: (() => void) | null = null;
  /** baseNs as two 32-bit halves (timestamps of pcapng outputs without BigInt) */
  private baseHi = 0;
  private baseLo = 0;
  private idOffset = 0;
  private maxFrameId = 0;

  // recording
  private readonly recording: boolean;
  private readonly maxPackets: number;
  private readonly maxBytes: number;
  private queue: CapturedPacket[] = [];
  private start = 0;
  private recBytes = 0;
  private overwritten = 0;

  private captured = 0;
  private capturedBytes = 0;
  private filteredOut = 0;
  private stopped = false;
  private fileName: string | undefined;

  constructor(lab: Lab, options: CaptureSessionOptions = {}) {
    this.lab = lab;
    this.filter = compileCaptureFilter(options.filter);
    this.points = selectCapturePoints(listCapturePoints(lab.interfaces()), options.points);
    this.pointIndexById = new Map(this.points.map((p, i) => [p.id, i]));
    this.dropIndex = this.pointIndexById.get('Drop') ?? -1;
    this.directions = this.points.map((p) => p.direction);
    this.dirCodes = Uint8Array.from(this.points, (p) => directionCode(p.direction));
    this.epbFlags = Uint8Array.from(this.points, (p) => (p.direction === 'inbound' ? 1 : p.direction === 'outbound' ? 2 : 0));
    this.perPoint = new Float64Array(this.points.length);
    this.lastText = new Array<string | null>(this.points.length).fill(null);
    this.lastBytes = new Array<Uint8Array | null>(this.points.length).fill(null);
    this.comments = options.comments ?? true;
    this.epochNs = options.epochNs ?? defaultEpochNs(lab);
    this.setBase(this.epochNs);
    this.idOffset = options.packetIdOffset ?? 0;
    this.format = options.format ?? (options.file !== undefined ? captureFormatOfPath(options.file) : 'pcapng');
    const rec = options.record;
    this.recording = rec !== undefined && rec !== false;
    this.maxPackets = (typeof rec === 'object' ? rec.maxPackets : undefined) ?? 100_000;
    this.maxBytes = (typeof rec === 'object' ? rec.maxBytes : undefined) ?? 64 * 1024 * 1024;
    if (options.file !== undefined && options.sink !== undefined) throw new RangeError('give a capture file or a sink, not both');
    if (options.file !== undefined) {
      const file = new FileSink(options.file);
      this.fileName = options.file;
      try {
        const pcapng = this.format === 'pcapng';
        this.addOutput(pcapng ? file.writeNow : file.write, { format: this.format, ...(options.comment !== undefined ? { comment: options.comment } : {}) }, () => file.close(), pcapng);
      } catch (err) {
        file.close();
        throw err;
      }
    } else if (options.sink !== undefined) {
      this.addOutput(options.sink, { format: this.format, ...(options.comment !== undefined ? { comment: options.comment } : {}) }, null);
    }
    this.bind(lab);
  }

  private setBase(base: bigint): void {
    if (base < 0n || base > 0xffff_ffff_ffff_ffffn) throw new RangeError(`capture: epoch ${base} ns is out of range`);
    this.baseNs = base;
    this.baseHi = Number(base >> 32n);
    this.baseLo = Number(base & 0xffff_ffffn);
  }

  private bind(lab: Lab): void {
    // event times count from the lab's clock base, which moves forward on a long run (~52 days)
    this.setBase(this.epochNs + this.offsetNs + lab.clockBaseNs);
    this.offRebase = lab.onClockRebase((b) => this.setBase(this.epochNs + this.offsetNs + b));
    this.slotsByIndex = [];
    for (const info of lab.interfaces()) {
      const slots = new Int32Array(CAPTURE_POINT_NAMES.length).fill(-1);
      slots[DROP_CODE] = this.dropIndex;
      let untaggedVlan = -1;
      for (let code = 0; code < CAPTURE_POINT_NAMES.length; code++) {
        const i = this.pointIndexById.get(`${info.id}:${CAPTURE_POINT_NAMES[code]!}`);
        if (i !== undefined) {
          slots[code] = i;
          untaggedVlan = this.points[i]!.untaggedVlan;
        }
      }
      if (untaggedVlan < 0) untaggedVlan = listCapturePoints([info])[0]?.untaggedVlan ?? -1;
      const entry: IfaceSlots = { slots, untaggedVlan, dropText: null, dropBytes: null };
      this.slotsByIndex.push(entry);
    }
    this.unsubscribe = lab.trace.tapPoints(this.onPoint);
  }

  /**
   * Continues on another lab (of the same topology: points are matched by name): the old lab is
   * left, the new lab's time 0 comes 1 ms after the old lab's now, and packet ids continue after
   * the old lab's.
   */
  attach(lab: Lab): void {
    if (this.stopped) throw new Error('capture session is stopped');
    this.unsubscribe?.();
    this.offRebase?.();
    this.offsetNs += this.lab.nowNs() + 1_000_000n;
    this.idOffset += this.maxFrameId;
    this.maxFrameId = 0;
    this.lab = lab;
    this.bind(lab);
  }

  /** Point tap listener (the fabric's reused record). */
  private readonly onPoint = (e: PointEvent): void => {
    this.take(e);
  };

  /** One point event: into the outputs, the recording and the listeners (read `e` now: the fabric reuses it). */
  private take(e: PointEvent): void {
    const code = e.pointCode;
    const at = this.slotsByIndex[e.ifaceIndex];
    let frame = e.frame;
    let idx: number;
    if (code === DROP_CODE) idx = this.dropIndex;
    else if (at === undefined) return;
    else idx = at.slots[code]!;
    if (idx < 0) return;
    // on a cable (UplinkRcv/Snd, PhysRx/Tx, HostRx/Tx) a frame is at least 60 bytes: a NIC pads
    // a shorter one with zeros before the wire (the engine's frames keep their length)
    if (frame.length < MIN_WIRE_FRAME && code >= FIRST_CABLE_CODE && code !== DROP_CODE) frame = padForWire(frame);
    if (!this.filter.empty && !this.filter.matches(frame, this.dirCodes[idx]!, e.vlan ?? -1, at !== undefined ? at.untaggedVlan : -1)) {
      this.filteredOut++;
      return;
    }
    const frameId = e.frameId;
    if (frameId > this.maxFrameId) this.maxFrameId = frameId;
    const packetId = frameId + this.idOffset;
    const t = Math.round(e.time);
    const isDrop = idx === this.dropIndex;
    this.captured++;
    this.capturedBytes += frame.length;
    this.perPoint[idx]!++;
    const outs = this.outputs;
    if (outs.length > 0) {
      // timestamp = base + t, as 32-bit halves (t, ns since the lab's clock base, stays below 2^53: the lab moves its base first)
      const tHi = t < TWO32 ? 0 : Math.floor(t / TWO32); // a division only after 4.3 s of virtual time
      let lo = this.baseLo + (t - tHi * TWO32);
      let hi = this.baseHi + tHi;
      if (lo >= TWO32) {
        lo -= TWO32;
        hi++;
      }
      let bytes: Uint8Array | null = null;
      let asked = false;
      for (let o = 0; o < outs.length; o++) {
        const out = outs[o]!;
        const ifi = out.ifIndex[idx]!;
        if (ifi < 0) continue;
        const fast = out.fast;
        if (fast !== null) {
          if (!asked) {
            asked = true;
            if (this.comments) bytes = isDrop ? this.dropCommentOf(at, e.detail, e.port) : this.commentAt(idx, e.detail);
          }
          let tpl = out.templates[idx]!;
          if (tpl === null || tpl.comment !== bytes) tpl = this.templateAt(out, idx, bytes);
          const nt = fast.nextTime;
          nt[0] = hi;
          nt[1] = lo;
          fast.writeEpbTemplate(tpl, frame, packetId);
        } else {
          const input = this.input;
          input.interface = ifi;
          input.timestampNs = this.baseNs + BigInt(t); // a BigInt only off the pcapng path
          input.data = frame;
          input.packetId = packetId;
          input.comment = this.comments ? (isDrop ? `${e.detail} (at ${e.port})` : e.detail) : undefined;
          input.direction = this.directions[idx];
          out.writer.writePacket(input);
        }
      }
    }
    if (!this.recording && this.listeners.size === 0) return;
    const packet: CapturedPacket = {
      pointId: this.points[idx]!.id,
      pointIndex: idx,
      timestampNs: this.baseNs + BigInt(t),
      data: frame.slice(),
      frameId: packetId,
      comment: isDrop ? `${e.detail} (at ${e.port})` : e.detail,
    };
    const d = this.directions[idx];
    if (d !== undefined) packet.direction = d;
    if (this.recording) this.record(packet);
    for (const l of this.listeners) if (l.ids === null || l.ids.has(packet.pointId)) l.fn(packet);
  }

  /**
   * The encoded comment of `text` at session point `idx`: the engine hands the same detail string
   * again while the decision at a point stays the same, so one comparison with the point's last
   * text usually answers without a lookup.
   */
  private commentAt(idx: number, text: string): Uint8Array {
    if (this.lastText[idx] === text) return this.lastBytes[idx]!;
    const b = this.commentOf(text);
    this.lastText[idx] = text;
    this.lastBytes[idx] = b;
    return b;
  }

  /**
   * The block template of session point `idx` with comment option `comment` in fast output `out`
   * (made once per point and comment; the engine's details at a point are few, the drop details
   * per interface too): becomes the point's last template.
   */
  private templateAt(out: Output, idx: number, comment: Uint8Array | null): EpbTemplate {
    let t = out.byComment.get(comment, idx);
    if (t === undefined) {
      t = out.fast!.epbTemplate({ ifIndex: out.ifIndex[idx]!, flags: this.epbFlags[idx]!, packetId: 'each', comment });
      out.byComment.set(comment, idx, t);
    }
    out.templates[idx] = t;
    return t;
  }

  /** The encoded comment of a drop at `port` (`detail (at port)`), kept per interface: no string is built while the drop repeats. */
  private dropCommentOf(at: IfaceSlots | undefined, detail: string, port: string): Uint8Array {
    if (at !== undefined && at.dropText === detail) return at.dropBytes!;
    const b = encodeComment(`${detail} (at ${port})`);
    if (at !== undefined) {
      at.dropText = detail;
      at.dropBytes = b;
    }
    return b;
  }

  /** The opt_comment bytes of `text`, from the cache (bounded: cleared when it holds many texts). */
  private commentOf(text: string): Uint8Array {
    let b = this.commentBytes.get(text);
    if (b === undefined) {
      if (this.commentBytes.size >= COMMENT_CACHE_MAX) this.commentBytes = new Map();
      b = encodeComment(text);
      this.commentBytes.set(text, b);
    }
    return b;
  }

  private record(p: CapturedPacket): void {
    this.queue.push(p);
    this.recBytes += p.data.length;
    while (this.queue.length - this.start > this.maxPackets || (this.recBytes > this.maxBytes && this.queue.length - this.start > 1)) {
      this.recBytes -= this.queue[this.start]!.data.length;
      this.queue[this.start] = undefined as unknown as CapturedPacket;
      this.start++;
      this.overwritten++;
    }
    if (this.start > 1024 && this.start * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.start);
      this.start = 0;
    }
  }

  private addOutput(sink: (c: Uint8Array) => void, options: CaptureStreamOptions, close: (() => void) | null, buffered = false): Output {
    const ids = options.pointIds;
    const chosen = ids === undefined ? this.points : this.points.filter((p) => ids.has(p.id));
    const ifIndex = new Int32Array(this.points.length).fill(-1);
    chosen.forEach((p, i) => {
      ifIndex[this.pointIndexById.get(p.id)!] = i;
    });
    const writer = makeWriter(options.format ?? 'pcapng', chosen, sink, options.comment, buffered);
    const out: Output = {
      writer,
      fast: writer instanceof PcapngWriter ? writer : null,
      ifIndex,
      templates: new Array<EpbTemplate | null>(this.points.length).fill(null),
      byComment: new EpbTemplateCache(),
      close,
      stopped: false,
    };
    this.outputs.push(out);
    return out;
  }

  /**
   * A live stream from now: the file header (pcapng: every chosen point's interface) goes to
   * `sink` at once, then each packet as it is captured. `stop()` ends it (the session goes on).
   */
  stream(sink: (chunk: Uint8Array) => void, options: CaptureStreamOptions = {}): { stop(): void; readonly packets: number } {
    if (this.stopped) throw new Error('capture session is stopped');
    const out = this.addOutput(sink, options, null);
    return {
      stop: () => this.removeOutput(out),
      get packets() {
        return out.writer.packetsWritten;
      },
    };
  }

  private removeOutput(out: Output): void {
    if (out.stopped) return;
    out.stopped = true;
    const i = this.outputs.indexOf(out);
    if (i >= 0) this.outputs.splice(i, 1);
    out.writer.end();
    out.close?.();
  }

  /** Calls `fn` for every packet captured from now on (at `pointIds`, default all); returns unsubscribe. */
  subscribe(fn: CaptureListener, pointIds?: ReadonlySet<string>): () => void {
    const entry = { ids: pointIds ?? null, fn };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** The recorded packets (oldest first), optionally only at `pointIds`. Empty when not recording. */
  recorded(pointIds?: ReadonlySet<string>): CapturedPacket[] {
    const out: CapturedPacket[] = [];
    for (let i = this.start; i < this.queue.length; i++) {
      const p = this.queue[i]!;
      if (pointIds === undefined || pointIds.has(p.pointId)) out.push(p);
    }
    return out;
  }

  /** The recording as a capture file (pcapng: interfaces = the chosen points). */
  toBytes(format: CaptureFormatName = 'pcapng', pointIds?: ReadonlySet<string>): Buffer {
    const points = pointIds === undefined ? this.points : this.points.filter((p) => pointIds.has(p.id));
    return encodeCapture(points, this.recorded(pointIds), format);
  }

  /** Forgets the recording and the counts. */
  clear(): void {
    this.queue = [];
    this.start = 0;
    this.recBytes = 0;
    this.overwritten = 0;
    this.captured = 0;
    this.capturedBytes = 0;
    this.filteredOut = 0;
    this.perPoint.fill(0);
  }

  status(): CaptureStatus {
    return {
      points: [...this.points],
      captured: this.captured,
      recorded: this.queue.length - this.start,
      overwritten: this.overwritten,
      limit: this.recording ? this.maxPackets : 0,
    };
  }

  /** The largest packet id given so far (ids of a session that follows this one start after it). */
  get lastPacketId(): number {
    return this.idOffset + this.maxFrameId;
  }

  /** Packets captured (after the filter). */
  get packets(): number {
    return this.captured;
  }

  /** Packets per point id (points with none left out). */
  countsByPoint(): Record<string, number> {
    const out: Record<string, number> = {};
    this.points.forEach((p, i) => {
      if (this.perPoint[i]! > 0) out[p.id] = this.perPoint[i]!;
    });
    return out;
  }

  /** Leaves the lab, ends every output and closes the file. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.offRebase?.();
    this.offRebase = null;
    for (const out of [...this.outputs]) this.removeOutput(out);
    this.listeners.clear();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** One line: how many packets, at how many points, where to, the filter. */
  summary(): string {
    const active = Array.from(this.perPoint).filter((n) => n > 0).length;
    const to = this.fileName !== undefined ? ` to ${this.fileName} (${this.format})` : '';
    const filt = this.filter.empty ? '' : `, filter ${this.filter.toString()} (${this.filteredOut} left out)`;
    return `captured ${this.captured} packet${this.captured === 1 ? '' : 's'} (${this.capturedBytes} bytes) at ${active} of ${this.points.length} capture point${
      this.points.length === 1 ? '' : 's'
    }${to}${filt}`;
  }
}

/** Starts a capture session on `lab` (see CaptureSession). */
export function startCapture(lab: Lab, options: CaptureSessionOptions = {}): CaptureSession {
  return new CaptureSession(lab, options);
}
