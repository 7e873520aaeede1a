/**
 * Replay: puts the frames of a capture into a lab at one interface, on the lab's virtual clock,
 * and says what became of them — deliveries per interface, drops per reason. A file is streamed
 * (replayCaptureFile: checked in a first pass, replayed as it is read in a second; memory does
 * not grow with its size); a capture already in memory (readCapture) is replayed by replayCapture.
 *
 * Timing:
 * - `original` (default): the first frame enters now, each next one its gap from the previous
 *   one later; the lab runs in between, so timers (ARP, ping timeouts) see the real gaps. A gap
 *   longer than `maxGapNs` is shortened to it (and counted): see DEFAULT_MAX_GAP_NS. Packets out
 *   of time order (possible in a pcapng with several interfaces) enter at once.
 * - `asap`: each frame enters as soon as the lab is idle after the previous one.
 *
 * Which packets: all of them, or those of some pcapng interfaces (`interfaces`, by name or
 * index) — a capture of every point holds each frame several times, so pick the one where it
 * entered (e.g. `web-10:eth0 PortInput`). Packets that cannot be frames are skipped and counted
 * by reason: shorter than an Ethernet header, longer than the lab's largest frame, or cut by
 * the capture's snap length.
 */
import { LabError, nearNames, REASONS, type ReasonCode, type TraceEvent } from '../engine/index.js';
import { MAX_FRAME_LEN } from '../wire/index.js';
import type { CaptureFile, CaptureInterface, CapturePacket } from './capture-file.js';
import { streamCapture, type CaptureStreamInfo } from './capture-stream.js';

export type ReplayTiming = 'original' | 'asap';

/** What replay needs from a lab (the engine's Lab has it). */
export interface ReplayLab {
  inject(iface: string, frame: Uint8Array): number;
  run(options?: { forNs?: number; maxEvents?: number }): unknown;
  readonly now: number;
  /** virtual ns, exact (Lab.nowNs); `now` when absent */
  nowNs?(): bigint;
  readonly trace: { subscribe(listener: (event: TraceEvent) => void): () => void };
  interfaces(): readonly { id: string }[];
  /** no event of this frame is queued or held any more */
  frameSettled(frameId: number): boolean;
}

/**
 * `original` timing: a gap between two packets longer than this is shortened to it (default one
 * hour of virtual time; the CLI uses the topology's longest timer plus a second). The lab does
 * not stand still in a gap — beacon rounds run every second, ageing timers expire — so replaying
 * a gap of years would take years of work; past the longest timer, a longer gap changes nothing.
 */
export const DEFAULT_MAX_GAP_NS = 3_600_000_000_000;
/** The lab runs through a gap in slices of this much virtual time, each with its own event budget. */
const RUN_SLICE_NS = 1_000_000_000;

export interface ReplayOptions {
  /** `node:interface` where every frame enters */
  into: string;
  /** default 'original' */
  timing?: ReplayTiming;
  /** only packets of these capture interfaces (pcapng if_name, or index); default all */
  interfaces?: readonly (string | number)[];
  /** `original` timing: longer gaps are shortened to this many ns (default DEFAULT_MAX_GAP_NS) */
  maxGapNs?: number;
}

export interface ReplaySummary {
  into: string;
  timing: ReplayTiming;
  /** packets in the file */
  packets: number;
  /** packets left out because they were on other capture interfaces */
  notSelected: number;
  /** frames put into the lab */
  injected: number;
  /** packets that could not be injected, by reason */
  skipped: Record<string, number>;
  /** injected frames with at least one delivered copy */
  framesDelivered: number;
  /** injected frames none of whose copies was delivered */
  framesNotDelivered: number;
  /** delivered copies, total and per endpoint interface */
  deliveries: number;
  deliveredTo: Record<string, number>;
  /** dropped copies, total and per reason code */
  drops: number;
  dropsByReason: Record<string, number>;
  /** frames the lab's endpoints sent in reaction (ARP replies, echo replies, ...) */
  reactionFrames: number;
  /** gaps between packets longer than the longest gap, shortened to it (`original` timing) */
  gapsShortened: number;
  /** times the lab held MAX_FRAMES_IN_FLIGHT frames of the file and ran until idle before the next (`original` timing) */
  burstsSettled: number;
  /** packets whose trailing frame check sequence was cut off before injection (the capture said it kept it: pcapng if_fcslen, pcap's FCS bits) */
  fcsStripped: number;
  /** pcapng blocks that are not packets, by block name; `block of type 0x…`: a type the reader does not know (perhaps a damaged packet block) */
  blocksSkipped?: Record<string, number>;
  /** the longest gap, ns (`original` timing) */
  maxGapNs: number;
  /** virtual time the replay took, ns */
  virtualNs: number;
}

/** The capture interfaces (indices) `wanted` names; null: all. Throws LabError naming unknown interface names. */
function chooseInterfaces(interfaces: readonly CaptureInterface[], wanted: readonly (string | number)[] | undefined): Set<number> | null {
  if (wanted === undefined || wanted.length === 0) return null;
  const names = interfaces.map((i, n) => i.name ?? `#${n}`);
  const chosen = new Set<number>();
  for (const w of wanted) {
    if (typeof w === 'number' || /^\d+$/.test(w)) {
      const n = Number(w);
      if (n < 0 || n >= interfaces.length) throw new LabError(`capture interface ${n} does not exist: the file has ${interfaces.length} (0..${interfaces.length - 1}): ${names.join(', ')}`);
      chosen.add(n);
      continue;
    }
    const exact = interfaces.findIndex((i) => i.name === w);
    if (exact >= 0) {
      chosen.add(exact);
      continue;
    }
    const near = nearNames(w, names);
    throw new LabError(`the capture has no interface "${w}"${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''} (it has ${names.map((n) => `"${n}"`).join(', ')})`, near);
  }
  return chosen;
}

function skipReason(p: CapturePacket): string | null {
  if (p.data.length < p.originalLength) return 'cut by the capture snap length';
  if (p.data.length < 14) return 'shorter than an Ethernet header (14 bytes)';
  if (p.data.length > MAX_FRAME_LEN) return `longer than ${MAX_FRAME_LEN} bytes`;
  return null;
}

/** Frames followed at most before the settled ones are counted and forgotten (the limit doubles while they cannot be). */
const IN_FLIGHT_SWEEP = 4096;
/**
 * Frames of the file in the lab at once at most: packets with the same (or earlier) timestamp
 * enter at once, and a file of a million such packets would hold a million frames in the lab's
 * queue. Past this many, the lab first runs until idle (and the rest of the file comes that much
 * later); counted in `burstsSettled`.
 */
export const MAX_FRAMES_IN_FLIGHT = 65_536;

/**
 * Replays packets one at a time (`push`), in file order, and says what became of them
 * (`finish`). Holds no packet: what it keeps per frame is forgotten once the frame has settled
 * (Lab.frameSettled), so its memory does not grow with the number of packets.
 */
export class CaptureReplayer {
  readonly timing: ReplayTiming;
  private readonly summary: ReplaySummary;
  private readonly chosen: Set<number> | null;
  private readonly maxGapNs: number;
  /** bytes of FCS at the end of each capture interface's packets */
  private readonly fcsLen: number[];
  /** our frames not yet settled -> delivered yet */
  private inFlight = new Map<number, boolean>();
  /** reaction frames (sent by endpoints) not yet settled */
  private reactionsInFlight = new Set<number>();
  private sweepAt = IN_FLIGHT_SWEEP;
  /** virtual ns the replay started at (exact: see labNow) */
  private readonly start: bigint;
  /** the previous selected packet's capture time */
  private prevNs: bigint | null = null;
  /** the virtual time the previous packet entered at */
  private prevAt = 0n;
  private off: (() => void) | null;
  private finished = false;

  constructor(
    private readonly lab: ReplayLab,
    interfaces: readonly CaptureInterface[],
    private readonly options: ReplayOptions,
  ) {
    const timing = options.timing ?? 'original';
    if (timing !== 'original' && timing !== 'asap') throw new LabError(`timing must be original or asap, got "${String(timing)}"`);
    this.timing = timing;
    const maxGapNs = options.maxGapNs ?? DEFAULT_MAX_GAP_NS;
    if (!(maxGapNs >= 0) || !Number.isSafeInteger(maxGapNs)) throw new LabError(`the longest gap must be a whole number of nanoseconds >= 0, got ${maxGapNs}`);
    this.maxGapNs = maxGapNs;
    const ids = lab.interfaces().map((i) => i.id);
    if (!ids.includes(options.into)) {
      const near = nearNames(options.into, ids);
      throw new LabError(`unknown interface "${options.into}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (interfaces are written node:interface)`, near);
    }
    this.chosen = chooseInterfaces(interfaces, options.interfaces);
    this.fcsLen = interfaces.map((i) => i.fcsLen ?? 0);
    this.summary = {
      into: options.into,
      timing,
      packets: 0,
      notSelected: 0,
      injected: 0,
      skipped: {},
      framesDelivered: 0,
      framesNotDelivered: 0,
      deliveries: 0,
      deliveredTo: {},
      drops: 0,
      dropsByReason: {},
      reactionFrames: 0,
      gapsShortened: 0,
      burstsSettled: 0,
      fcsStripped: 0,
      maxGapNs,
      virtualNs: 0,
    };
    this.start = this.labNow();
    this.prevAt = this.start;
    this.off = lab.trace.subscribe(this.onEvent);
  }

  private readonly onEvent = (e: TraceEvent): void => {
    if (e.action !== 'deliver' && e.action !== 'drop') return;
    const s = this.summary;
    const mine = this.inFlight.get(e.frameId);
    if (mine === undefined) {
      if (e.frameId !== 0 && !this.reactionsInFlight.has(e.frameId)) {
        this.reactionsInFlight.add(e.frameId);
        s.reactionFrames++;
      }
      return;
    }
    if (e.action === 'deliver') {
      s.deliveries++;
      s.deliveredTo[e.port] = (s.deliveredTo[e.port] ?? 0) + 1;
      if (!mine) this.inFlight.set(e.frameId, true);
    } else {
      s.drops++;
      const r = e.reason ?? 'UNKNOWN';
      s.dropsByReason[r] = (s.dropsByReason[r] ?? 0) + 1;
    }
  };

  /** Replays one packet (the next in the file). */
  push(p: CapturePacket): void {
    if (this.finished) throw new Error('replay is finished');
    const s = this.summary;
    s.packets++;
    if (this.chosen !== null && !this.chosen.has(p.interface)) {
      s.notSelected++;
      return;
    }
    const fcs = this.fcsLen[p.interface] ?? 0;
    if (fcs > 0 && p.data.length === p.originalLength && p.data.length >= fcs) {
      // the capture kept the frame check sequence (pcapng if_fcslen, pcap FCS bits): the lab's frames have none
      p = { ...p, data: p.data.subarray(0, p.data.length - fcs), originalLength: p.originalLength - fcs };
      s.fcsStripped++;
    }
    const why = skipReason(p);
    if (why !== null) {
      s.skipped[why] = (s.skipped[why] ?? 0) + 1;
      return;
    }
    const lab = this.lab;
    if (this.timing === 'original') {
      if (this.prevNs !== null && p.timestampNs > this.prevNs) {
        let gap = p.timestampNs - this.prevNs;
        if (gap > BigInt(this.maxGapNs)) {
          gap = BigInt(this.maxGapNs);
          s.gapsShortened++;
        }
        this.runUntil(this.prevAt + gap);
      }
      // out of time order (possible across pcapng interfaces): at once
      if (this.prevNs === null || p.timestampNs > this.prevNs) this.prevNs = p.timestampNs;
      this.prevAt = this.labNow();
    }
    this.inFlight.set(lab.inject(this.options.into, p.data), false);
    s.injected++;
    if (this.timing === 'asap') lab.run();
    if (this.inFlight.size + this.reactionsInFlight.size >= this.sweepAt) this.sweep();
    if (this.inFlight.size >= MAX_FRAMES_IN_FLIGHT) {
      lab.run();
      this.prevAt = this.labNow();
      s.burstsSettled++;
      this.sweep();
    }
  }

  /** Frames (the file's and the endpoints' replies) it keeps track of now, until they settle. */
  get following(): number {
    return this.inFlight.size + this.reactionsInFlight.size;
  }

  /** The lab's virtual now, exact (a Lab's `now` is a double: past 2^53 ns, ~104 days, it is not). */
  private labNow(): bigint {
    const lab = this.lab;
    return typeof lab.nowNs === 'function' ? lab.nowNs() : BigInt(Math.round(lab.now));
  }

  /** Runs the lab to virtual time `at` (exact), in slices of at most a second (each slice has the lab's event budget). */
  private runUntil(at: bigint): void {
    for (let now = this.labNow(); now < at; now = this.labNow()) {
      const rest = at - now;
      this.lab.run({ forNs: rest < BigInt(RUN_SLICE_NS) ? Number(rest) : RUN_SLICE_NS });
    }
  }

  /** Counts the settled frames and forgets them. */
  private sweep(): void {
    const lab = this.lab;
    const s = this.summary;
    for (const [id, delivered] of this.inFlight) {
      if (!lab.frameSettled(id)) continue;
      if (delivered) s.framesDelivered++;
      else s.framesNotDelivered++;
      this.inFlight.delete(id);
    }
    for (const id of this.reactionsInFlight) if (lab.frameSettled(id)) this.reactionsInFlight.delete(id);
    this.sweepAt = Math.max(IN_FLIGHT_SWEEP, 2 * (this.inFlight.size + this.reactionsInFlight.size));
  }

  /** Runs the lab until idle and returns the summary. */
  finish(): ReplaySummary {
    if (!this.finished) {
      try {
        this.lab.run();
      } finally {
        this.close();
      }
      const s = this.summary;
      for (const delivered of this.inFlight.values()) {
        if (delivered) s.framesDelivered++;
        else s.framesNotDelivered++;
      }
      this.inFlight.clear();
      this.reactionsInFlight.clear();
      s.virtualNs = Number(this.labNow() - this.start);
    }
    return this.summary;
  }

  /** Stops listening to the lab (finish does it; call it when giving up). */
  close(): void {
    this.finished = true;
    this.off?.();
    this.off = null;
  }
}

/** Replays `file` into `lab` at `options.into`; runs the lab until idle at the end. */
export function replayCapture(lab: ReplayLab, file: CaptureFile, options: ReplayOptions): ReplaySummary {
  const r = new CaptureReplayer(lab, file.interfaces, options);
  try {
    for (const p of file.packets) r.push(p);
  } catch (err) {
    r.close();
    throw err;
  }
  return withSkippedBlocks(r.finish(), file.skippedBlocks);
}

function withSkippedBlocks(s: ReplaySummary, skipped: Record<string, number> | undefined): ReplaySummary {
  if (skipped !== undefined && Object.keys(skipped).length > 0) s.blocksSkipped = { ...skipped };
  return s;
}

/**
 * Replays the capture file at `path`, streaming: a first pass checks the whole file (a bad file
 * is refused before any frame enters the lab) and learns its interfaces (`scanned`, when the
 * caller has already made that pass with scanCapture), a second pass replays as it reads.
 */
export async function replayCaptureFile(lab: ReplayLab, path: string, options: ReplayOptions, scanned?: CaptureScan): Promise<ReplaySummary> {
  const scan = scanned ?? (await scanCapture(path));
  const r = new CaptureReplayer(lab, scan.interfaces, options);
  try {
    await streamCapture(path, (p) => r.push(p));
  } catch (err) {
    r.close();
    throw err;
  }
  return withSkippedBlocks(r.finish(), scan.skippedBlocks);
}

export interface CaptureScan extends CaptureStreamInfo {
  /** interfaces with at least one packet, by index */
  used: number[];
}

/** Reads the whole capture at `path` without keeping it: checks it and says what it holds. Rejects with CaptureFormatError. */
export async function scanCapture(path: string): Promise<CaptureScan> {
  const used = new Set<number>();
  const info = await streamCapture(path, (p) => void used.add(p.interface));
  return { ...info, used: [...used].sort((a, b) => a - b) };
}

/** The summary as lines for a terminal. */
export function formatReplaySummary(s: ReplaySummary): string[] {
  const lines: string[] = [];
  const skipped = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  lines.push(
    `replayed ${s.injected} of ${s.packets} packet${s.packets === 1 ? '' : 's'} into ${s.into} (${s.timing} timing, ${(s.virtualNs / 1e6).toFixed(3)} ms of virtual time)` +
      (s.notSelected > 0 ? `; ${s.notSelected} on other capture interfaces left out` : '') +
      (skipped > 0 ? `; ${skipped} skipped` : ''),
  );
  if (s.gapsShortened > 0) {
    lines.push(`  ${s.gapsShortened} gap${s.gapsShortened === 1 ? '' : 's'} between packets longer than ${s.maxGapNs / 1e9} s shortened to ${s.maxGapNs / 1e9} s (--max-gap)`);
  }
  if (s.fcsStripped > 0) {
    lines.push(`  ${s.fcsStripped} packet${s.fcsStripped === 1 ? '' : 's'} had a frame check sequence (the capture says so): cut off before injection`);
  }
  if (s.burstsSettled > 0) {
    lines.push(`  ${s.burstsSettled} time${s.burstsSettled === 1 ? '' : 's'} ${MAX_FRAMES_IN_FLIGHT} frames entered at once: the lab ran until idle before the next`);
  }
  for (const [why, n] of Object.entries(s.skipped)) lines.push(`  skipped    ${String(n).padStart(6)}  ${why}`);
  for (const [block, n] of Object.entries(s.blocksSkipped ?? {})) {
    const unknown = block.startsWith('block of type');
    lines.push(`  skipped    ${String(n).padStart(6)}  ${block}${n === 1 ? '' : 's'}${unknown ? ' (a type this reader does not know: a damaged packet block?)' : ' (not a packet)'}`);
  }
  const to = Object.entries(s.deliveredTo).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const w = Math.max(0, ...to.map(([k]) => k.length), ...Object.keys(s.dropsByReason).map((k) => k.length));
  for (const [iface, n] of to) lines.push(`  delivered  ${iface.padEnd(w)}  ${n}`);
  const drops = Object.entries(s.dropsByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [reason, n] of drops) {
    const rule = (REASONS as Record<string, { rule: string } | undefined>)[reason as ReasonCode]?.rule;
    lines.push(`  dropped    ${reason.padEnd(w)}  ${n}${rule ? `  (${rule})` : ''}`);
  }
  lines.push(
    `${s.framesDelivered} frame${s.framesDelivered === 1 ? '' : 's'} delivered (${s.deliveries} cop${s.deliveries === 1 ? 'y' : 'ies'}), ${s.framesNotDelivered} not delivered, ${s.drops} cop${
      s.drops === 1 ? 'y' : 'ies'
    } dropped` +
      (s.reactionFrames > 0 ? `; the endpoints sent ${s.reactionFrames} frame${s.reactionFrames === 1 ? '' : 's'} in reply` : ''),
  );
  return lines;
}
