/**
 * A `vxlan` attachment against hostile and odd input, over loopback (docs/attachments.md): the
 * lab binds 127.0.0.1, its peer is a socket of the test on 127.0.0.1, a foreigner sends from
 * 127.0.0.2. Malformed headers, an unknown VNI, a foreign sender and a 64 KB datagram are counted
 * and dropped with their reason (the process goes on); an inner frame shorter than 60 bytes is
 * fine; replies always go to the configured remote port whatever port the peer sent from; one
 * socket carries two VNIs; a silent peer shows the cable down, and frames bring it back up.
 * Each step waits for the event it causes.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Attachments, AttachError, decodeVxlan, encodeVxlan } from '../../src/attach/index.js';
import { buildArp } from '../../src/wire/builders.js';
import { OUTSIDE2_MAC, OUTSIDE_MAC, VM_IP, VM_MAC, validAttachTopology } from './attach-lab.js';
import { next } from './events.js';
import { serveWithAttachments, type ServedLab } from './served-lab.js';

const basePort = 30000 + (process.pid % 15000) * 2;

function udp(address: string, port = 0): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(port, address, () => resolve(s));
  });
}

const arpFrom = (mac: string, ip: string): Uint8Array => buildArp({ op: 'request', srcMac: mac, senderIp: ip, targetIp: VM_IP });

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(silenceSeconds?: number): Promise<{ lab: ServedLab; peer: dgram.Socket; labPort: number; peerPort: number }> {
  const labPort = basePort;
  const peerPort = basePort + 1;
  const lab = await serveWithAttachments(
    validAttachTopology([
      { type: 'vxlan', local: { address: '127.0.0.1', port: labPort }, remote: { address: '127.0.0.1', port: peerPort }, vni: 10, ...(silenceSeconds !== undefined ? { silenceSeconds } : {}) },
      { type: 'vxlan', interface: 'outside2:eth0', local: { address: '127.0.0.1', port: labPort }, remote: { address: '127.0.0.1', port: peerPort }, vni: 20 },
    ]),
  );
  cleanup.push(() => lab.close());
  const peer = await udp('127.0.0.1', peerPort);
  cleanup.push(() => new Promise<void>((r) => peer.close(() => r())));
  return { lab, peer, labPort, peerPort };
}

/** The next datagram the peer gets, decoded. */
function received(peer: dgram.Socket, pred: (vni: number, frame: Uint8Array) => boolean = () => true): Promise<{ vni: number; frame: Uint8Array; port: number }> {
  return new Promise((resolve) => {
    const on = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
      const d = decodeVxlan(msg);
      if (!d.ok || !pred(d.vni, d.frame)) return;
      peer.off('message', on);
      resolve({ vni: d.vni, frame: d.frame, port: rinfo.port });
    };
    peer.on('message', on);
  });
}

const hex = (b: Uint8Array, from: number, to: number): string => Buffer.from(b.subarray(from, to)).toString('hex');

describe('vxlan attachment: input at the border', () => {
  it('a 42-byte ARP (shorter than 60) from another source port is answered, to the configured remote port, on its VNI; a second VNI on the same socket is its own NIC', async () => {
    const { lab, peer, labPort, peerPort } = await setup();
    const sender = await udp('127.0.0.1'); // the kernel sends from a hashed source port: not peerPort
    cleanup.push(() => new Promise<void>((r) => sender.close(() => r())));
    const arp = arpFrom(OUTSIDE_MAC, '10.0.10.50').subarray(0, 42); // no padding, as the kernel sends it into a tunnel
    expect(arp.length).toBe(42);
    const reply = received(peer, (vni, f) => vni === 10 && f[21] === 2);
    sender.send(encodeVxlan(10, arp), labPort, '127.0.0.1');
    const r = await reply;
    expect(hex(r.frame, 0, 6)).toBe(OUTSIDE_MAC.replaceAll(':', ''));
    expect(hex(r.frame, 6, 12)).toBe(VM_MAC.replaceAll(':', ''));
    expect(peerPort).toBe(basePort + 1);

    const reply2 = received(peer, (vni, f) => vni === 20 && f[21] === 2);
    sender.send(encodeVxlan(20, arpFrom(OUTSIDE2_MAC, '10.0.10.51')), labPort, '127.0.0.1');
    expect(hex((await reply2).frame, 0, 6)).toBe(OUTSIDE2_MAC.replaceAll(':', ''));
    const st = lab.served.attachments.status();
    expect(st.attachments.map((a) => [a.name, a.rxFrames])).toEqual([['att0', 1], ['att1', 1]]);
  });

  it('bad flags, short datagrams, an unknown VNI, a foreign sender and a 64 KB datagram are dropped with their reason; the lab goes on', async () => {
    const { lab, peer, labPort } = await setup();
    const att = lab.served.attachments;
    const send = (b: Uint8Array, from = peer): void => void from.send(b, labPort, '127.0.0.1');
    const arp = arpFrom(OUTSIDE_MAC, '10.0.10.50');

    const badFlags = encodeVxlan(10, arp);
    badFlags[0] = 0x00;
    let d = next<[{ reason: string; detail: string }]>(att, 'drop');
    send(badFlags);
    expect((await d)[0]).toMatchObject({ reason: 'VXLAN_BAD_FLAGS' });
    expect((await d)[0].detail).toMatch(/4789.*8472.*14789/); // every VXLAN error names the ports

    d = next(att, 'drop');
    send(new Uint8Array([0x08, 0, 0]));
    expect((await d)[0]).toMatchObject({ reason: 'SHORT_DATAGRAM' });

    d = next(att, 'drop');
    send(encodeVxlan(10, arp.subarray(0, 10)));
    expect((await d)[0]).toMatchObject({ reason: 'FRAME_TOO_SHORT', attachment: 'att0' });

    d = next(att, 'drop');
    send(encodeVxlan(99, arp));
    expect((await d)[0]).toMatchObject({ reason: 'UNKNOWN_VNI' });
    expect((await d)[0].detail).toMatch(/VNI 99.*\(10, 20\)/);

    const foreign = await udp('127.0.0.2');
    cleanup.push(() => new Promise<void>((r) => foreign.close(() => r())));
    d = next(att, 'drop');
    send(encodeVxlan(10, arp), foreign);
    expect((await d)[0]).toMatchObject({ reason: 'UNKNOWN_PEER', attachment: 'att0', from: expect.stringMatching(/^127\.0\.0\.2:/) });

    d = next(att, 'drop');
    send(encodeVxlan(10, new Uint8Array(65_000 - 8)));
    expect((await d)[0]).toMatchObject({ reason: 'FRAME_TOO_LONG', attachment: 'att0' });

    const st = att.status();
    expect(st.attachments[0]!.drops).toEqual({ FRAME_TOO_SHORT: 1, UNKNOWN_PEER: 1, FRAME_TOO_LONG: 1 });
    expect(st.sockets[0]!.drops).toEqual({ VXLAN_BAD_FLAGS: 1, SHORT_DATAGRAM: 1, UNKNOWN_VNI: 1 });
    expect(st.attachments[0]!.rxFrames).toBe(0);
    // nothing of it entered the lab: no frame was sent by outside:eth0
    expect(lab.lab().counters('outside:eth0').txFrames).toBe(0);

    // and a good frame still goes through
    const reply = received(peer, (vni, f) => vni === 10 && f[21] === 2);
    send(encodeVxlan(10, arp));
    await reply;
  });

  it('a silent peer: the cable of the attached NIC shows down after silenceSeconds, up again when a frame returns', async () => {
    const { lab, peer, labPort } = await setup(0.2);
    const att = lab.served.attachments;
    const iface = (): { up: boolean } => lab.lab().interfaces().find((i) => i.id === 'outside:eth0')!;
    expect(iface().up).toBe(true);
    await next(att, 'link', (name: string, up: boolean) => name === 'att0' && !up);
    expect(iface().up).toBe(false);
    expect(att.status().attachments[0]!.state).toBe('down');
    // the API shows it too
    const api = (await (await lab.get('/api/interfaces')).json()) as Array<{ id: string; up: boolean }>;
    expect(api.find((i) => i.id === 'outside:eth0')!.up).toBe(false);

    const up = next(att, 'link', (name: string, u: boolean) => name === 'att0' && u);
    const reply = received(peer, (vni, f) => vni === 10 && f[21] === 2);
    peer.send(encodeVxlan(10, arpFrom(OUTSIDE_MAC, '10.0.10.50')), labPort, '127.0.0.1');
    await up;
    expect(iface().up).toBe(true);
    await reply; // the frame that brought it up went through
  });

  it('a port that is taken is an AttachError naming the VXLAN ports; the clock may not be paused while attachments live', async () => {
    const { lab, labPort } = await setup();
    const again = new Attachments(validAttachTopology([{ type: 'vxlan', local: { address: '127.0.0.1', port: labPort }, remote: { address: '127.0.0.1', port: 9 }, vni: 1 }]).topology.attachments!);
    const err = await again.open().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AttachError);
    expect((err as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${labPort}.*in use.*4789.*8472.*14789`));

    const res = await fetch(new URL('/api/clock', lab.server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'paused' }) });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/live attachments.*real time/);
    expect(lab.server.session.clockState().mode).toBe('realtime');
  });
});
