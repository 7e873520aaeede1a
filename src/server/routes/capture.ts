/**
 * GET    /api/capture/points                        capture points + recording status
 * GET    /api/capture/download?points=…&format=pcapng|pcap   what was recorded, as a file
 * DELETE /api/capture                               forget what was recorded
 * GET    /api/capture/live?points=…                 pcapng stream, one packet per chunk:
 *        curl -sN 'http://127.0.0.1:8080/api/capture/live?points=web-01:eth0' | wireshark -k -i -
 * `points` is a comma-separated list (or repeated) of point ids, interfaces or `Drop`.
 */
import { Router, type Request } from 'express';
import { PcapngWriter } from '../../capture/pcapng-writer.js';
import { PcapWriter } from '../../capture/pcap-writer.js';
import type { CapturePointInfo } from '../api-types.js';
import type { CapturedPacket } from '../capture-source.js';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';

function selectedPoints(ctx: AppContext, req: Request): CapturePointInfo[] {
  const raw = req.query.points ?? req.query.point;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const selectors: string[] = [];
  for (const v of list) {
    if (typeof v !== 'string') throw new ApiError(400, 'points must be a list of strings');
    selectors.push(...v.split(','));
  }
  if (selectors.length > 256) throw new ApiError(400, 'at most 256 capture points per request');
  return ctx.session.capture.select(selectors);
}

/** pcapng interface name: `node:interface Point` (capinfos/Wireshark show it), or `Drop`. */
function interfaceName(p: CapturePointInfo): string {
  return p.iface === null ? p.point : `${p.iface} ${p.point}`;
}

function writerInterfaces(points: readonly CapturePointInfo[]): { name: string; description: string }[] {
  return points.map((p) => ({ name: interfaceName(p), description: p.description }));
}

export function captureRoutes(ctx: AppContext): Router {
  const r = Router();
  const capture = (): AppContext['session']['capture'] => ctx.session.capture;

  r.get('/capture/points', (_req, res) => {
    res.json(capture().status());
  });

  r.delete('/capture', (_req, res) => {
    const before = capture().status().recorded;
    capture().clear();
    res.json({ cleared: before });
  });

  r.get('/capture/download', (req, res) => {
    const format = req.query.format ?? 'pcapng';
    if (format !== 'pcapng' && format !== 'pcap') throw new ApiError(400, 'format must be pcapng or pcap');
    const points = selectedPoints(ctx, req);
    const index = new Map(points.map((p, i) => [p.id, i]));
    const packets = capture().recorded(new Set(index.keys()));
    const chunks: Uint8Array[] = [];
    const sink = (c: Uint8Array): void => {
      chunks.push(c);
    };
    const writer = format === 'pcapng' ? new PcapngWriter({ sink, interfaces: writerInterfaces(points) }) : new PcapWriter({ sink, resolution: 'ns' });
    for (const p of packets) writer.writePacket(toInput(p, index.get(p.pointId)!));
    writer.end();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.setHeader('Content-Type', format === 'pcapng' ? 'application/x-pcapng' : 'application/vnd.tcpdump.pcap');
    res.setHeader('Content-Disposition', `attachment; filename="vswitch-lab-${stamp}.${format}"`);
    res.setHeader('X-Packets', String(packets.length));
    res.send(Buffer.concat(chunks));
  });

  r.get('/capture/live', (req, res) => {
    const points = selectedPoints(ctx, req);
    const index = new Map(points.map((p, i) => [p.id, i]));
    res.status(200);
    res.setHeader('Content-Type', 'application/x-pcapng');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    const limit = ctx.liveCaptureBufferBytes;
    let lost = 0;
    let closed = false;
    const writer = new PcapngWriter({
      sink: (chunk) => {
        if (!closed) res.write(chunk);
      },
      interfaces: writerInterfaces(points),
      shbOptions: { comment: `vswitch-lab live capture: ${points.map((p) => p.id).join(', ')}` },
    });
    const unsubscribe = capture().subscribe(new Set(index.keys()), (p: CapturedPacket) => {
      if (closed) return;
      // A reader that does not keep up loses packets, counted in the next one's epb_dropcount:
      // the server never buffers more than `limit` bytes for it.
      if (res.writableLength > limit) {
        lost++;
        return;
      }
      const input = toInput(p, index.get(p.pointId)!);
      if (lost > 0) input.dropCount = lost;
      lost = 0;
      writer.writePacket(input);
    });
    const done = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      writer.end();
    };
    res.on('close', done);
    req.on('close', done);
  });

  return r;
}

function toInput(p: CapturedPacket, iface: number): Parameters<PcapngWriter['writePacket']>[0] {
  const input: Parameters<PcapngWriter['writePacket']>[0] = { interface: iface, timestampNs: p.timestampNs, data: p.data, packetId: p.frameId };
  if (p.direction) input.direction = p.direction;
  if (p.comment) input.comment = p.comment;
  return input;
}
