import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hexOnlyResolver } from '../../src/server/engine-binding.js';
import { startTestServer } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-stream-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('live capture stream', () => {
  it('a reader that stops reading loses packets (counted in epb_dropcount) instead of growing server memory', async () => {
    const s = await startTestServer({ resolveFrame: hexOnlyResolver, liveCaptureBufferBytes: 64 * 1024 });
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        get(`${s.url}api/capture/live?points=web-01:eth0:PortInput`, resolve).on('error', reject);
      });
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.pause(); // stop reading: the socket's buffers fill, then the server's
      await sleep(20);
      const frame = new Uint8Array(1500).fill(0xab);
      frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x50, 0x56, 0xa1, 0x00, 0x01, 0x08, 0x00]);
      const N = 20_000; // 30 MB of frames
      for (let i = 0; i < N; i++) {
        s.lab().inject('web-01:eth0', frame);
        if (i % 500 === 0) await sleep(1);
      }
      s.session.clock.kick();
      await sleep(50);
      res.resume();
      await sleep(500);
      res.destroy();
      const file = path.join(tmp, 'slow.pcapng');
      writeFileSync(file, Buffer.concat(chunks));
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.drop_count'], { encoding: 'utf8' });
      const rows = out.trim().split('\n');
      const received = rows.length;
      const dropped = rows.reduce((n, r) => n + (r === '' ? 0 : Number(r)), 0);
      expect(received).toBeLessThan(N);
      expect(dropped).toBeGreaterThan(0);
      // every packet is accounted for: received or counted as lost (the last losses have no packet after them)
      expect(received + dropped).toBeLessThanOrEqual(N);
      expect(received + dropped).toBeGreaterThan(N * 0.5);
    } finally {
      await s.close();
    }
  });
});

describe('static web UI', () => {
  it('serves web/dist when it exists, with the SPA fallback; /api stays JSON', async () => {
    const dist = path.join(tmp, 'dist');
    mkdirSync(dist);
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(path.join(dist, 'app.js'), 'console.log(1)');
    const s = await startTestServer({ staticDir: dist });
    try {
      expect(await (await s.api('/')).text()).toContain('<title>ui</title>');
      expect(await (await s.api('/app.js')).text()).toBe('console.log(1)');
      expect(await (await s.api('/some/view')).text()).toContain('<title>ui</title>');
      const api = await s.api('/api/nope');
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toMatch(/json/);
    } finally {
      await s.close();
    }
  });
});
