/**
 * Replay: puts the frames of a capture file (read by readCapture) into a lab at one interface,
 * on the lab's virtual clock, and says what became of them — deliveries per interface, drops per
 * reason.
 *
 * Timing:
 * - `original` (default): the first frame enters now, each next one at now + its offset from the
 *   first in the file; the lab runs in between, so timers (ARP, ping timeouts) see the real gaps.
 *   Packets out of time order (possible in a pcapng with several interfaces) enter at once.
 * - `asap`: each frame enters as soon as the lab is idle after the previous one.
 *
 * Which packets: all of them, or those of some pcapng interfaces (`interfaces`, by name or
 * index) — a capture of every point holds each frame several times, so pick the one where it
 * entered (e.g. `web-10:eth0 PortInput`). Packets that cannot be frames are skipped and counted
 * by reason: shorter than an Ethernet header, longer than the lab's largest frame, or cut by
 * the capture's snap length.
 */
import { LabError, nearNames } from '../engine/lab-error.js';
import { REASONS, type ReasonCode } from '../engine/reasons.js';
import type { TraceEvent } from '../engine/trace.js';
import { MAX_FRAME_LEN } from '../wire/index.js';
import type { CaptureFile, CapturePacket } from './capture-file.js';

export type ReplayTiming = 'original' | 'asap';

/** What replay needs from a lab (the engine's Lab has it). */
export interface ReplayLab {
  inject(iface: string, frame: Uint8Array): number;
  run(options?: { forNs?: number; maxEvents?: number }): unknown;
  readonly now: number;
  readonly trace: { subscribe(listener: (event: TraceEvent) => void): () => void };
  interfaces(): readonly { id: string }[];
}

export interface ReplayOptions {
  /** `node:interface` where every frame enters */
  into: string;
  /** default 'original' */
  timing?: ReplayTiming;
  /** only packets of these capture interfaces (pcapng if_name, or index); default all */
  interfaces?: readonly (string | number)[];
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
  /** virtual time the replay took, ns */
  virtualNs: number;
}

/** Picks the packets to replay; throws LabError naming unknown interface names. */
function selectPackets(file: CaptureFile, wanted: readonly (string | number)[] | undefined): CapturePacket[] {
  if (wanted === undefined || wanted.length === 0) return file.packets;
  const names = file.interfaces.map((i, n) => i.name ?? `#${n}`);
  const chosen = new Set<number>();
  for (const w of wanted) {
    if (typeof w === 'number' || /^\d+$/.test(w)) {
      const n = Number(w);
      if (n < 0 || n >= file.interfaces.length) throw new LabError(`capture interface ${n} does not exist: the file has ${file.interfaces.length} (0..${file.interfaces.length - 1}): ${names.join(', ')}`);
      chosen.add(n);
      continue;
    }
    const exact = file.interfaces.findIndex((i) => i.name === w);
    if (exact >= 0) {
      chosen.add(exact);
      continue;
    }
    const near = nearNames(w, names);
    throw new LabError(`the capture has no interface "${w}"${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''} (it has ${names.map((n) => `"${n}"`).join(', ')})`, near);
  }
  return file.packets.filter((p) => chosen.has(p.interface));
}

function skipReason(p: CapturePacket): string | null {
  if (p.data.length < p.originalLength) return 'cut by the capture snap length';
  if (p.data.length < 14) return 'shorter than an Ethernet header (14 bytes)';
  if (p.data.length > MAX_FRAME_LEN) return `longer than ${MAX_FRAME_LEN} bytes`;
  return null;
}

/** Replays `file` into `lab` at `options.into`; runs the lab until idle at the end. */
export function replayCapture(lab: ReplayLab, file: CaptureFile, options: ReplayOptions): ReplaySummary {
  const timing = options.timing ?? 'original';
  if (timing !== 'original' && timing !== 'asap') throw new LabError(`timing must be original or asap, got "${String(timing)}"`);
  const ids = lab.interfaces().map((i) => i.id);
  if (!ids.includes(options.into)) {
    const near = nearNames(options.into, ids);
    throw new LabError(`unknown interface "${options.into}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (interfaces are written node:interface)`, near);
  }
  const packets = selectPackets(file, options.interfaces);
  const summary: ReplaySummary = {
    into: options.into,
    timing,
    packets: file.packets.length,
    notSelected: file.packets.length - packets.length,
    injected: 0,
    skipped: {},
    framesDelivered: 0,
    framesNotDelivered: 0,
    deliveries: 0,
    deliveredTo: {},
    drops: 0,
    dropsByReason: {},
    reactionFrames: 0,
    virtualNs: 0,
  };
  const ours = new Set<number>();
  const delivered = new Set<number>();
  const reactions = new Set<number>();
  const off = lab.trace.subscribe((e) => {
    if (e.action !== 'deliver' && e.action !== 'drop') return;
    if (!ours.has(e.frameId)) {
      if (e.frameId !== 0) reactions.add(e.frameId);
      return;
    }
    if (e.action === 'deliver') {
      summary.deliveries++;
      summary.deliveredTo[e.port] = (summary.deliveredTo[e.port] ?? 0) + 1;
      delivered.add(e.frameId);
    } else {
      summary.drops++;
      const r = e.reason ?? 'UNKNOWN';
      summary.dropsByReason[r] = (summary.dropsByReason[r] ?? 0) + 1;
    }
  });
  const start = lab.now;
  try {
    let t0: bigint | null = null;
    for (const p of packets) {
      const why = skipReason(p);
      if (why !== null) {
        summary.skipped[why] = (summary.skipped[why] ?? 0) + 1;
        continue;
      }
      if (timing === 'original') {
        if (t0 === null) t0 = p.timestampNs;
        const at = start + Number(p.timestampNs - t0);
        if (at > lab.now) lab.run({ forNs: at - lab.now });
      }
      ours.add(lab.inject(options.into, p.data));
      summary.injected++;
      if (timing === 'asap') lab.run();
    }
    lab.run();
  } finally {
    off();
  }
  summary.framesDelivered = delivered.size;
  summary.framesNotDelivered = summary.injected - delivered.size;
  summary.reactionFrames = reactions.size;
  summary.virtualNs = lab.now - start;
  return summary;
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
  for (const [why, n] of Object.entries(s.skipped)) lines.push(`  skipped    ${String(n).padStart(6)}  ${why}`);
  const to = Object.entries(s.deliveredTo).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const w = Math.max(0, ...to.map(([k]) => k.length), ...Object.keys(s.dropsByReason).map((k) => k.length));
  for (const [iface, n] of to) lines.push(`  delivered  ${iface.padEnd(w)}  ${n}`);
  const drops = Object.entries(s.dropsByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [reason, n] of drops) {
    const rule = (REASONS as Record<string, { rule: string } | undefined>)[reason as ReasonCode]?.rule;
    lines.push(`  dropped    ${reason.padEnd(w)}  ${n}${rule ? `  (${rule})` : ''}`);
  }
  lines.push(
    `${s.framesDelivered} frame${s.framesDelivered === 1 ? '' : 's'} delivered (${s.deliveries} cop${s.deliveries === 1 ? 'y' : 'ies'}), ${s.framesNotDelivered} not delivered, ${s.drops} cop${s.drops === 1 ? 'y' : 'ies'} dropped` +
      (s.reactionFrames > 0 ? `; the endpoints sent ${s.reactionFrames} frame${s.reactionFrames === 1 ? '' : 's'} in reply` : ''),
  );
  return lines;
}
