/**
 * Capture points (O1) as the server needs them: list them, choose some, follow their packets
 * live, read back what was recorded, clear. A thin adapter over the shared CaptureSession of
 * src/capture: the points, their pcapng names and descriptions, the packet comments (the engine's
 * decision line with its rule; on `Drop` the reason and where), the packet ids (the frame id,
 * shared by a frame's ingress and every copy) and the recording all come from there.
 *
 * One CaptureSession per lab, recording every point (oldest packets overwritten past the limits);
 * a new topology starts a new one and forgets the recording. Live listeners belong to this
 * adapter, not to a session: a live stream keeps running across a topology load, with the points
 * of the same id in the new lab (packet ids go on after the old lab's, so each id is one frame).
 *
 * Selectors (`select`): `node:interface` (all its points), `node:interface:Point`, a `Point` on
 * every interface that has it, a node name, or `Drop`; point names in any case.
 */
import { CaptureSelectError, CaptureSession, selectCapturePoints, type CapturedPacket, type CapturePointSpec } from '../capture/index.js';
import type { Lab } from '../engine/index.js';
import type { CapturePointInfo, CaptureStatus } from './api-types.js';
import { ApiError } from './errors.js';

export type { CapturedPacket } from '../capture/index.js';
export type CaptureListener = (packet: CapturedPacket) => void;

export interface CaptureSourceOptions {
  /** packets kept for download at most (oldest overwritten); default 100,000 */
  maxPackets?: number;
  /** bytes of frame data kept at most; default 64 MiB */
  maxBytes?: number;
  /**
   * Packet ids are the frame ids as they are (a partition of a partitioned lab: its frame ids are
   * unique across partitions and go on across topology loads by themselves), not continued after
   * the previous lab's. Default false.
   */
  frameIdsAsPacketIds?: boolean;
}

function info(p: CapturePointSpec): CapturePointInfo {
  return { id: p.id, iface: p.iface, point: p.point, name: p.name, kind: p.kind, description: p.description };
}

export class CaptureSource {
  private session: CaptureSession | undefined;
  private specs: readonly CapturePointSpec[] = [];
  private infos: CapturePointInfo[] = [];
  private readonly listeners = new Set<{ ids: ReadonlySet<string>; fn: CaptureListener }>();
  private readonly maxPackets: number | undefined;
  private readonly maxBytes: number | undefined;
  private readonly frameIdsAsPacketIds: boolean;

  constructor(options: CaptureSourceOptions = {}) {
    this.maxPackets = options.maxPackets;
    this.maxBytes = options.maxBytes;
    this.frameIdsAsPacketIds = options.frameIdsAsPacketIds === true;
  }

  /** A new lab: a fresh CaptureSession on it (the old one stops); its virtual time 0 is `epochNs`. */
  attach(lab: Lab, epochNs: bigint): void {
    const record: { maxPackets?: number; maxBytes?: number } = {};
    if (this.maxPackets !== undefined) record.maxPackets = this.maxPackets;
    if (this.maxBytes !== undefined) record.maxBytes = this.maxBytes;
    // packet ids go on after the previous lab's: unique for the life of a live stream
    const next = new CaptureSession(lab, { record, epochNs, packetIdOffset: this.frameIdsAsPacketIds ? 0 : (this.session?.lastPacketId ?? 0) });
    this.session?.stop();
    this.session = next;
    this.specs = next.points;
    this.infos = next.points.map(info);
    // recording builds every packet anyway: one dispatcher per session, listeners or not
    next.subscribe(this.dispatch);
  }

  points(): CapturePointInfo[] {
    return this.infos;
  }

  /** Selectors -> points in lab order (Drop last); 400 ApiError naming the unknown ones. */
  select(selectors: readonly string[]): CapturePointInfo[] {
    const wanted = selectors.map((s) => s.trim()).filter((s) => s !== '');
    if (wanted.length === 0) throw new ApiError(400, 'no capture point chosen', { hint: 'add ?points=node:interface[,…] (GET /api/capture/points lists them)' });
    let chosen: CapturePointSpec[];
    try {
      chosen = selectCapturePoints(this.specs, wanted);
    } catch (err) {
      if (!(err instanceof CaptureSelectError)) throw err;
      const first = err.message.split('\n')[0]!;
      throw new ApiError(400, `unknown capture point${err.unknown.length === 1 ? '' : 's'}: ${first}`, {
        unknown: err.unknown,
        ...(err.suggestions.length > 0 ? { similar: err.suggestions } : {}),
        hint: 'GET /api/capture/points lists them; write node:interface, node:interface:Point, a Point, or Drop',
      });
    }
    return chosen.map(info);
  }

  /** Every packet captured from now on at `pointIds` (this lab and the next ones); returns unsubscribe. */
  subscribe(pointIds: ReadonlySet<string>, fn: CaptureListener): () => void {
    const entry = { ids: pointIds, fn };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Recorded packets at `pointIds`, oldest first. */
  recorded(pointIds: ReadonlySet<string>): CapturedPacket[] {
    return this.session?.recorded(pointIds) ?? [];
  }

  /** The points with these ids, as the capture layer describes them (for writers). */
  specsOf(pointIds: ReadonlySet<string>): CapturePointSpec[] {
    return this.specs.filter((p) => pointIds.has(p.id));
  }

  /** Live listeners (streams) now. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  clear(): void {
    this.session?.clear();
  }

  status(): CaptureStatus {
    const st = this.session?.status();
    return { points: this.infos, captured: st?.captured ?? 0, recorded: st?.recorded ?? 0, overwritten: st?.overwritten ?? 0, limit: st?.limit ?? 0 };
  }

  close(): void {
    this.session?.stop();
    this.session = undefined;
    this.listeners.clear();
  }

  private readonly dispatch = (p: CapturedPacket): void => {
    for (const l of this.listeners) if (l.ids.has(p.pointId)) l.fn(p);
  };
}
