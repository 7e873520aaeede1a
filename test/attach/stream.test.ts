/**
 * A `stream` attachment (QEMU `-netdev stream` framing: 4-byte big-endian length, then the frame)
 * against a peer written here from that description, over a UNIX socket and TCP, with the lab as
 * server and as client (docs/attachments.md). Frames cross both ways; the connection state is the
 * NIC's cable state; a client reconnects; chunks split anywhere are reassembled; an oversized
 * frame is skipped, a length beyond any frame closes the connection; a TCP server accepts only its
 * peer. Each step waits for the event it causes.
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildArp } from '../../src/wire/builders.js';
import { OUTSIDE_MAC, VM_IP, VM_MAC, validAttachTopology, type AttachmentInput } from './attach-lab.js';
import { next } from './events.js';
import { serveWithAttachments, type ServedLab } from './served-lab.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vsl-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const arp = (): Uint8Array => buildArp({ op: 'request', srcMac: OUTSIDE_MAC, senderIp: '10.0.10.50', targetIp: VM_IP });

/** The peer's side of the framing, written from QEMU's description (not from our encoder). */
function frameBytes(frame: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(frame.length);
  return Buffer.concat([head, frame]);
}

/** Collects whole frames the lab sends to this peer socket. */
function reader(sock: net.Socket): { nextFrame(pred?: (f: Buffer) => boolean): Promise<Buffer> } {
  let buf = Buffer.alloc(0);
  const waiting: Array<{ pred: (f: Buffer) => boolean; resolve: (f: Buffer) => void }> = [];
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const f = buf.subarray(4, 4 + buf.readUInt32BE(0));
      buf = buf.subarray(4 + f.length);
      const w = waiting.findIndex((x) => x.pred(f));
      if (w >= 0) waiting.splice(w, 1)[0]!.resolve(Buffer.from(f));
    }
  });
  return { nextFrame: (pred = () => true) => new Promise((resolve) => waiting.push({ pred, resolve })) };
}

const isArpReply = (f: Buffer): boolean => f.readUInt16BE(12) === 0x0806 && f[21] === 2;

async function serve(a: AttachmentInput): Promise<ServedLab> {
  const lab = await serveWithAttachments(validAttachTopology([a]));
  cleanup.push(() => lab.close());
  return lab;
}

function connect(opts: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(opts, () => resolve(s));
    s.once('error', reject);
    cleanup.push(() => void s.destroy());
  });
}

const ifaceUp = (lab: ServedLab): boolean => lab.lab().interfaces().find((i) => i.id === 'outside:eth0')!.up;

describe('stream attachment (QEMU -netdev stream framing)', () => {
  it('lab as UNIX server: the cable is down until the peer connects; an ARP split into 1-byte chunks is answered; the peer leaving takes the cable down', async () => {
    const sockPath = path.join(dir, 'lab.sock');
    const lab = await serve({ type: 'stream', role: 'server', unix: sockPath });
    expect(ifaceUp(lab)).toBe(false);
    const att = lab.served.attachments;
    const upEv = next(att, 'link', (_n: string, up: boolean) => up);
    const peer = await connect({ path: sockPath });
    await upEv;
    expect(ifaceUp(lab)).toBe(true);
    const r = reader(peer);
    const reply = r.nextFrame(isArpReply);
    const bytes = frameBytes(arp());
    for (const b of bytes) peer.write(Buffer.from([b]));
    const f = await reply;
    expect(f.subarray(6, 12).toString('hex')).toBe(VM_MAC.replaceAll(':', ''));
    expect(f.subarray(0, 6).toString('hex')).toBe(OUTSIDE_MAC.replaceAll(':', ''));

    const down = next(att, 'link', (_n: string, up: boolean) => !up);
    peer.destroy();
    await down;
    expect(ifaceUp(lab)).toBe(false);
    expect(att.status().attachments[0]!.state).toBe('listening');
  });

  it('lab as TCP client: it connects to the peer, frames cross, and after the peer drops the connection it connects again', async () => {
    const accepted: net.Socket[] = [];
    const waiters: Array<(s: net.Socket) => void> = [];
    const server = net.createServer((s) => {
      accepted.push(s);
      cleanup.push(() => void s.destroy());
      waiters.shift()?.(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as net.AddressInfo).port;
    const nextConn = (): Promise<net.Socket> => new Promise((r) => waiters.push(r));

    const first = nextConn();
    const lab = await serve({ type: 'stream', role: 'client', tcp: { address: '127.0.0.1', port }, reconnectMs: 50 });
    const c1 = await first;
    const r1 = reader(c1);
    const reply = r1.nextFrame(isArpReply);
    c1.write(frameBytes(arp()));
    await reply;

    const second = nextConn();
    c1.destroy();
    const c2 = await second;
    const reply2 = reader(c2).nextFrame(isArpReply);
    c2.write(frameBytes(arp()));
    await reply2;
    expect(accepted.length).toBe(2);
    expect(lab.served.attachments.status().attachments[0]!.state).toBe('up');
  });

  it('an oversized frame is skipped with FRAME_TOO_LONG and the framing survives; a length beyond any frame is STREAM_BAD_LENGTH and closes the connection', async () => {
    const sockPath = path.join(dir, 'bad.sock');
    const lab = await serve({ type: 'stream', role: 'server', unix: sockPath });
    const att = lab.served.attachments;
    const peer = await connect({ path: sockPath });
    const r = reader(peer);
    const dropped = next<[{ reason: string }]>(att, 'drop');
    const reply = r.nextFrame(isArpReply);
    peer.write(Buffer.concat([frameBytes(new Uint8Array(20_000)), frameBytes(arp())]));
    expect((await dropped)[0].reason).toBe('FRAME_TOO_LONG');
    await reply;

    const bad = next<[{ reason: string }]>(att, 'drop');
    const closed = new Promise<void>((res) => peer.once('close', () => res()));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(0x7fffffff);
    peer.write(head);
    expect((await bad)[0].reason).toBe('STREAM_BAD_LENGTH');
    await closed;
  });

  it('a TCP server accepts only its peer address', async () => {
    const port = 40000 + (process.pid % 20000);
    const lab = await serve({ type: 'stream', role: 'server', tcp: { address: '127.0.0.1', port }, peer: '127.0.0.1' });
    const att = lab.served.attachments;
    const refused = next<[{ reason: string; from: string }]>(att, 'drop');
    const foreign = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    foreign.on('error', () => undefined);
    cleanup.push(() => void foreign.destroy());
    const [d] = await refused;
    expect(d.reason).toBe('UNKNOWN_PEER');
    expect(d.from).toMatch(/^127\.0\.0\.2:/);
    expect(ifaceUp(lab)).toBe(false);

    const up = next(att, 'link', (_n: string, u: boolean) => u);
    await connect({ host: '127.0.0.1', port });
    await up;
  });
});
