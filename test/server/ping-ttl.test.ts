/**
 * POST /api/ping {ttl}: the probes' IPv4 TTL (`ping -t`), over the real engine; the live stream
 * shows the echo requests with that TTL (decoded from their bytes) and the replies still come.
 * A TTL outside 1..255 is a 400 and sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/wire/index.js';
import { liveClient, startEngineServer, type EngineServer } from './helpers.js';

let s: EngineServer;
beforeAll(async () => {
  s = await startEngineServer('default');
});
afterAll(async () => {
  await s?.close();
});

describe('POST /api/ping with ttl', () => {
  it('the echo requests carry the TTL asked for; the reply comes back', async () => {
    const live = await liveClient(s.base);
    try {
      const r = await s.post('/api/ping', { from: 'web-01:eth0', to: '10.0.0.22', count: 1, ttl: 7 });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { received: number }).received).toBe(1);
      const ttlOf = (hex: string) => decodeFrame(Buffer.from(hex, 'hex')).layers.find((l) => l.name === 'IPv4')?.fields.find((f) => f.name === 'Time to live')?.value;
      const isRequest = (e: { port: string; point?: string; frameHex?: string; detail: string }) =>
        e.port === 'web-01:eth0' && e.point === 'PortInput' && e.frameHex !== undefined && /ICMP echo request|Echo \(ping\) request/i.test(decodeFrame(Buffer.from(e.frameHex, 'hex')).summary);
      const u = await live.waitFor((x) => (x.trace ?? []).some((e) => isRequest(e)));
      const req = (u.trace ?? []).find((e) => isRequest(e as never)) as unknown as { frameHex: string };
      expect(ttlOf(req.frameHex)).toBe('7');
    } finally {
      live.close();
    }
  });

  it('a TTL outside 1..255 is a 400', async () => {
    for (const ttl of [0, 256, 2.5]) {
      const r = await s.post('/api/ping', { from: 'web-01:eth0', to: '10.0.0.22', ttl });
      expect(r.status).toBe(400);
    }
  });
});
