/**
 * POST /api/decode: the wire layer's structured decode of pasted hex, checked against tshark's
 * reading of the same bytes, and its 4xx answers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedFrame } from '../../src/server/api-types.js';
import { buildArp, buildIcmpEcho, MAX_FRAME_LEN, toHex, toHexDump } from '../../src/wire/index.js';
import { writePcap } from '../helpers/pcap-file.js';
import { jsonOf, startEngineServer, type EngineServer } from './helpers.js';

let s: EngineServer;
const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-decode-'));
beforeAll(async () => {
  s = await startEngineServer('default');
});
afterAll(async () => {
  await s.close();
});

const decode = (hex: unknown): Promise<Response> => s.post('/api/decode', { hex });

/** tshark's fields for one frame. */
function tshark(frame: Uint8Array, fields: string[]): string[] {
  const file = path.join(tmp, `f${Math.random().toString(36).slice(2)}.pcap`);
  writePcap(file, [frame]);
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.replace(/\n$/, '').split('\t');
}

function field(d: DecodedFrame, layer: string, name: string): string | undefined {
  return d.layers.find((l) => l.name === layer)?.fields.find((f) => f.name.startsWith(name))?.value;
}

describe('POST /api/decode', () => {
  const icmp = buildIcmpEcho({ type: 'request', srcMac: '00:50:56:a1:00:01', dstMac: '00:50:56:a1:00:02', srcIp: '10.0.10.21', dstIp: '10.0.10.22', vlan: 10, seq: 7 });

  it('answers {summary, layers, malformed?}: the layers tshark sees, with the same values', async () => {
    const res = await decode(toHex(icmp));
    expect(res.status).toBe(200);
    const d = await jsonOf<DecodedFrame>(res);
    expect(Object.keys(d).sort()).toEqual(['layers', 'summary']); // no malformed: a valid frame
    expect(typeof d.summary).toBe('string');
    const [protocols, vid, src, dst, seq, checksum] = tshark(icmp, ['frame.protocols', 'vlan.id', 'ip.src', 'ip.dst', 'icmp.seq', 'ip.checksum']);
    // eth:ethertype:vlan:ethertype:ip:icmp:data -> one layer per header
    expect(protocols).toMatch(/^eth:ethertype:vlan:ethertype:ip:icmp/);
    expect(d.layers.length).toBeGreaterThanOrEqual(4);
    expect(d.layers[1]!.name).toMatch(/802\.1Q/);
    expect(field(d, d.layers[1]!.name, 'ID')).toBe(vid);
    const ipLayer = d.layers.find((l) => /IPv4/.test(l.name))!;
    expect(ipLayer.fields.some((f) => f.value.includes(src!))).toBe(true);
    expect(ipLayer.fields.some((f) => f.value.includes(dst!))).toBe(true);
    expect(ipLayer.fields.find((f) => /checksum/i.test(f.name))!.value).toContain(checksum!);
    expect(d.layers.find((l) => /ICMP/.test(l.name))!.fields.some((f) => f.name.toLowerCase().includes('seq') && f.value.includes(seq!))).toBe(true);
    // layers tile the frame in order: each starts where the bytes say
    for (const l of d.layers) {
      expect(l.offset).toBeGreaterThanOrEqual(0);
      expect(l.offset + l.length).toBeLessThanOrEqual(icmp.length);
    }
  });

  it('accepts the forms people paste: spaced bytes, colons, a hex dump with offsets', async () => {
    const arp = buildArp({ op: 'request', srcMac: '00:50:56:a1:00:01', senderIp: '10.0.0.21', targetIp: '10.0.0.22' });
    const plain = await jsonOf<DecodedFrame>(await decode(toHex(arp)));
    expect(plain.layers.map((l) => l.name)).toContain('ARP');
    for (const form of [toHex(arp, ' '), toHex(arp, ':'), toHexDump(arp), `0x${toHex(arp)}`]) {
      const res = await decode(form);
      expect(res.status, form).toBe(200);
      expect(await jsonOf<DecodedFrame>(res)).toEqual(plain);
    }
  });

  it('bytes that are no valid frame still decode as far as they go, with malformed saying where', async () => {
    const cut = icmp.slice(0, 30); // inside the IPv4 header
    const d = await jsonOf<DecodedFrame>(await decode(toHex(cut)));
    expect(d.malformed).toBeDefined();
    expect(d.malformed!.layer).toMatch(/IPv4/);
    expect(d.layers[0]!.name).toMatch(/Ethernet/);
    const runt = await jsonOf<DecodedFrame>(await decode('ffff'));
    expect(runt.malformed!.offset).toBe(0);
  });

  it('bad hex -> 400 with the wire layer message naming the problem', async () => {
    for (
      const [hex, says] of [
        ['zz', /not a hex digit/],
        ['abc', /odd number of hex digits/],
        ['', /no hex digits/],
        ['ab'.repeat(MAX_FRAME_LEN + 1), new RegExp(`at most ${MAX_FRAME_LEN}`)],
      ] as const
    ) {
      const res = await decode(hex);
      expect(res.status, hex.slice(0, 20)).toBe(400);
      const body = await jsonOf<{ error: string; details?: { field?: string } }>(res);
      expect(body.error).toMatch(says);
      expect(body.details?.field).toBe('hex');
    }
  });

  it('a body that is not {hex: string} -> 400 naming the field; malformed JSON -> 400; over 64 KB -> 413', async () => {
    for (const body of [{}, { hex: 5 }, { hex: 'ff', extra: 1 }]) {
      const res = await s.post('/api/decode', body);
      expect(res.status).toBe(400);
      expect((await jsonOf<{ error: string }>(res)).error).toBe('invalid request body');
    }
    const bad = await s.api('/api/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hex": "ff' });
    expect(bad.status).toBe(400);
    expect((await jsonOf(bad)).error).toBe('malformed JSON body');
    const big = await decode('ab'.repeat(40_000));
    expect(big.status).toBe(413);
  });
});
