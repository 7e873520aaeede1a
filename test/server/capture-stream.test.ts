import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptureStatus, SendFrameResponse, TopologyState, TraceEventJson } from '../../src/server/api-types.js';
import { startEngineServer, startTestServer } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-stream-'));
/** Whether the last whole enhanced packet block's data ends with `byte` (little-endian pcapng). */
function lastPacketIs(b: Buffer, byte: number): boolean {
  let last = -1;
  for (let off = 0; off + 12 <= b.length;) {
    const len = b.readUInt32LE(off + 4);
    if (len < 12 || off + len > b.length) break;
    if (b.readUInt32LE(off) === 6) last = off;
    off += len;
  }
  if (last < 0) return false;
  const capLen = b.readUInt32LE(last + 20);
  return capLen > 0 && b[last + 28 + capLen - 1] === byte;
}

/** The prefix of a little-endian pcapng byte stream that ends at a block boundary. */
function wholeBlocks(b: Buffer): Buffer {
  let off = 0;
  while (off + 12 <= b.length) {
    const len = b.readUInt32LE(off + 4);
    if (len < 12 || off + len > b.length) break;
    off += len;
  }
  return b.subarray(0, off);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('live capture stream', () => {
  it('a reader that stops reading loses packets (counted in epb_dropcount) instead of growing server memory', async () => {
    const s = await startTestServer({ liveCaptureBufferBytes: 64 * 1024 });
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        get(`${s.url}api/capture/live?points=web-01:eth0:PortInput`, resolve).on('error', reject);
      });
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.pause(); // stop reading: the socket's buffers fill, then the server's
      await sleep(20);
      const frame = new Uint8Array(1500).fill(0xab);
      // web-01 -> web-02, one delivery each: the work is the capture's, not the fabric's
      frame.set([0x00, 0x50, 0x56, 0xa1, 0x00, 0x02, 0x00, 0x50, 0x56, 0xa1, 0x00, 0x01, 0x08, 0x00]);
      const N = 20_000; // 30 MB of frames
      for (let i = 0; i < N; i++) {
        s.lab().inject('web-01:eth0', frame);
        if (i % 500 === 0) await sleep(1);
      }
      s.lab().run(); // every frame processed now: offered to the stream, written or counted lost
      res.resume();
      // Then marker frames (payload 0xcd), one each time data arrives, until a marker reaches the
      // reader: every drop before it is counted on a packet the reader got (epb_dropcount is
      // written on the next packet). A dropped marker means the buffer was still full, so more data
      // is on its way and the next 'data' event comes.
      const marker = frame.slice().fill(0xcd, 14);
      let markers = 0;
      while (!lastPacketIs(Buffer.concat(chunks), 0xcd)) {
        const more = new Promise((r) => res.once('data', r));
        s.lab().inject('web-01:eth0', marker);
        markers++;
        s.lab().run(); // processed before the next wait (the clock driver works in slices)
        await more;
      }
      res.destroy();
      const file = path.join(tmp, 'slow.pcapng');
      // keep the whole blocks the reader got
      writeFileSync(file, wholeBlocks(Buffer.concat(chunks)));
      // frame.number first: a packet without a drop count is still a row
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.drop_count'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const rows = out.trim().split('\n').map((l) => l.split('\t'));
      const received = rows.length;
      const dropped = rows.reduce((n, r) => n + (r[1] ? Number(r[1]) : 0), 0);
      expect(received).toBeLessThan(N);
      expect(dropped).toBeGreaterThan(0);
      // every packet is accounted for, exactly: received or counted as lost
      expect(received + dropped).toBe(N + markers);
    } finally {
      await s.close();
    }
  });
});

describe('live capture stream over the CaptureSession, read by real tshark through a pipe', () => {
  it('O1: `curl -sN …/api/capture/live | tshark -r -` shows, as it happens, the point names, the engine decision of each packet and one packet id per frame', async () => {
    const s = await startEngineServer('vlans');
    const fields = ['frame.interface_name', 'frame.packet_id', 'frame.comment', 'vlan.id'];
    const selectors = ['web-10:eth0:PortInput', 'esxi-01:vmnic0', 'tor-1:eth2:PhysTx', 'pc-10:eth0', 'sniffer:eth0', 'Drop'];
    const url = `${s.url}api/capture/live?points=${selectors.join(',')}`;
    // the pipeline README documents; its own process group, so that it can be ended as one
    const sh = spawn('sh', ['-c', `curl -sN '${url}' | tshark -l -n -r - -T fields -E separator=/t ${fields.map((f) => `-e ${f}`).join(' ')}`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    sh.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const rows = (): string[][] => out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
    try {
      const points = (await s.get<CaptureStatus>('/api/capture/points')).points;
      const named = new Set(points.map((p) => p.name));
      for (let i = 0; i < 200 && s.session.capture.listenerCount === 0; i++) await sleep(25); // curl's stream is subscribed
      expect(s.session.capture.listenerCount).toBe(1);
      const arp = await (await s.post('/api/frames', { from: 'web-10:eth0', frame: { kind: 'arp-request', targetIp: '10.0.10.50' } })).json() as SendFrameResponse;
      // a guest tag on a VST port group (V1): dropped at ingress
      const tagged = await (await s.post('/api/frames', { from: 'web-10:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.10.50', vlan: 30 } })).json() as SendFrameResponse;
      const ids = [String(arp.frameIds[0]), String(tagged.frameIds[0])];
      // until tshark has printed both frames (an event to wait for; the test's own timeout guards a hang)
      while (!ids.every((id) => rows().some((r) => r[1] === id && r[0] === 'Drop') || rows().filter((r) => r[1] === id).length >= 5)) await sleep(50);
      // still streaming: these arrived before the stream ended
      expect(sh.exitCode).toBeNull();

      const vlan10 = (await s.get<TopologyState>('/api/topology')).topology.hosts[0]!.vswitches[0]!.portGroups.find((g) => g.name === 'VLAN10-Web')!.vlan;
      for (const [sent, id] of [[arp, ids[0]!], [tagged, ids[1]!]] as const) {
        const mine = rows().filter((r) => r[1] === id);
        expect(mine.length, `packets of frame ${id}`).toBeGreaterThan(1); // the ingress and what became of it, one packet id
        for (const [name, , comment] of mine) {
          expect(named.has(name!), name).toBe(true);
          // the comment is the decision the engine traced at that point (Drop: and where)
          const e = sent.events.find((x: TraceEventJson) => x.point !== undefined && (x.point === 'Drop' ? name === 'Drop' : name === `${x.port} ${x.point}`));
          expect(e, `${name} is an event of the frame's trace`).toBeDefined();
          expect(comment).toBe(e!.point === 'Drop' ? `${String(e!.detail)} (at ${e!.port})` : String(e!.detail));
        }
      }
      const arpRows = rows().filter((r) => r[1] === ids[0]);
      expect(arpRows.map((r) => r[0])).toEqual(expect.arrayContaining(['web-10:eth0 PortInput', 'esxi-01:vmnic0 UplinkSnd', 'tor-1:eth2 PhysTx', 'pc-10:eth0 HostRx']));
      expect(arpRows.find((r) => r[0] === 'esxi-01:vmnic0 UplinkSnd')![3]).toBe(String(vlan10)); // tagged on the wire
      expect(arpRows.find((r) => r[0] === 'tor-1:eth2 PhysTx')![3]).toBe(''); // untagged out of the access port
      const drop = rows().find((r) => r[1] === ids[1] && r[0] === 'Drop')!;
      const reason = tagged.events.find((e) => e.action === 'drop')!.reason!;
      expect(drop[2]).toContain(reason);
    } finally {
      try {
        process.kill(-sh.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => (sh.exitCode !== null || sh.signalCode !== null ? r(null) : sh.once('close', r)));
      await s.close();
    }
  }, 20_000);
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
