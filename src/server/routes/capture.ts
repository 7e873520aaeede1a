/**
 * GET    /api/capture/points                        capture points + recording status
 * GET    /api/capture/download?points=…&format=pcapng|pcap|pcap-ns   what was recorded, as a file
 * DELETE /api/capture                               forget what was recorded
 * GET    /api/capture/live?points=…                 pcapng stream, one packet per chunk:
 *        curl -sN 'http://127.0.0.1:8080/api/capture/live?points=web-01:eth0' | wireshark -k -i -
 * `points` is a comma-separated list (or repeated) of selectors (capture-source.ts). Packets are
 * the CaptureSession's (src/capture): one pcapng interface per point (`node:interface Point`),
 * direction, the frame id as packet id (shared by a frame's ingress and every copy) and the
 * engine's decision line with its rule as the comment (on Drop: the reason and where).
 */
import { Router, type Request } from 'express';
import { CAPTURE_FORMATS, encodeCapture, type CaptureFormatName } from '../../capture/capture-session.js';
import { LiveCaptureStream } from '../../capture/live-stream.js';
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
    if (typeof format !== 'string' || !(CAPTURE_FORMATS as readonly string[]).includes(format)) {
      throw new ApiError(400, `format must be ${CAPTURE_FORMATS.join(', ')}`, { format });
    }
    const ids = new Set(selectedPoints(ctx, req).map((p) => p.id));
    const packets = capture().recorded(ids);
    const file = encodeCapture(capture().specsOf(ids), packets, format as CaptureFormatName);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const ext = format === 'pcapng' ? 'pcapng' : 'pcap';
    res.setHeader('Content-Type', format === 'pcapng' ? 'application/x-pcapng' : 'application/vnd.tcpdump.pcap');
    res.setHeader('Content-Disposition', `attachment; filename="vswitch-lab-${stamp}.${ext}"`);
    res.setHeader('X-Packets', String(packets.length));
    res.send(file);
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
    // A reader that does not keep up loses packets, counted per capture point (interface) and
    // reported as pcapng defines it (epb_dropcount, isb_osdrop): see src/capture/live-stream.ts.
    let closed = false;
    const stream = new LiveCaptureStream({
      sink: (chunk) => {
        if (!closed) res.write(chunk);
      },
      interfaces: points.map((p) => ({ name: p.name, description: p.description })),
      pending: () => res.writableLength,
      limitBytes: ctx.liveCaptureBufferBytes,
      comment: `vswitch-lab live capture: ${points.map((p) => p.id).join(', ')}`,
    });
    const unsubscribe = capture().subscribe(new Set(index.keys()), (p: CapturedPacket) => {
      if (closed) return;
      stream.offer({
        iface: index.get(p.pointId)!,
        timestampNs: p.timestampNs,
        data: p.data,
        packetId: p.frameId,
        ...(p.direction !== undefined ? { direction: p.direction } : {}),
        comment: p.comment,
      });
    });
    const done = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      stream.end(false);
    };
    res.on('close', done);
    req.on('close', done);
  });

  return r;
}
