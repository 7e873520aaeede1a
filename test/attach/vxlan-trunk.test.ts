/**
 * Attachments straight on a physical switch port (docs/attachments.md): the lab adds a stand-in
 * physical host cabled to the port, whose NIC takes every MAC (the real peer is a switch or a
 * bridge).
 * - tor-1:eth4, an access port in VLAN 10 without a cable: in a network namespace a kernel vxlan
 *   device is a port of a Linux bridge whose own interface has another MAC than the stand-in;
 *   `ping -c 3` to web-10 gets 3 replies. Namespace and devices are removed after.
 * - tor-1:eth4 as a trunk (this kernel has no VLAN devices, so the peer is a socket of the test
 *   on loopback): an ARP tagged VLAN 10 is answered tagged 10 (P2), to a MAC that is not the
 *   stand-in's.
 */
import { describe, expect, it } from 'vitest';
import { Netns, randomPair, vethInto } from './netns.js';
import dgram from 'node:dgram';
import { VM_IP, VM_MAC } from './attach-lab.js';
import { decodeVxlan, encodeVxlan } from '../../src/attach/index.js';
import { buildArp } from '../../src/wire/builders.js';
import { serveWithAttachments } from './served-lab.js';
import { validateTopology } from '../../src/topology/load.js';
import { attachTopology } from './attach-lab.js';

const BEHIND_MAC = '02:00:5e:99:00:10';

describe('vxlan attachment on a switch port (stand-in physical host)', () => {
  it('ping -c 3 from a bridge behind the tunnel (another MAC than the stand-in) gets 3 replies', async () => {
    const [labIp, nsIp] = randomPair();
    const port = 26000 + (process.pid % 20000);
    const t = attachTopology([{ name: 'upstream', interface: 'tor-1:eth4', type: 'vxlan', local: { address: labIp, port }, remote: { address: nsIp, port }, vni: 77 }]) as {
      physicalSwitches: Array<{ ports: unknown[] }>;
    };
    t.physicalSwitches[0]!.ports.push({ name: 'eth4', mode: 'access', vlan: 10 });
    const v = validateTopology(t);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    const ns = await Netns.create('vsltr');
    let lab: Awaited<ReturnType<typeof serveWithAttachments>> | undefined;
    try {
      await vethInto(ns, labIp, nsIp);
      await ns.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '77', 'local', nsIp, 'remote', labIp, 'dstport', String(port), 'nolearning');
      await ns.ip('link', 'set', 'vx0', 'mtu', '1450', 'up');
      // a Linux bridge stands for the real switch (this kernel has no VLAN devices): vx0 is a
      // port of it, and the bridge's own interface has a MAC that is not the stand-in's
      await ns.ip('link', 'add', 'br0', 'address', BEHIND_MAC, 'type', 'bridge');
      await ns.ip('link', 'set', 'vx0', 'master', 'br0');
      await ns.ip('addr', 'add', '10.0.10.50/24', 'dev', 'br0');
      await ns.ip('link', 'set', 'br0', 'up');

      lab = await serveWithAttachments(v);
      const standIn = lab.lab().interfaces().find((i) => i.id === 'upstream:eth0');
      expect(standIn).toMatchObject({ kind: 'physical-nic', peer: 'tor-1:eth4', up: true });

      const ping = await ns.exec('ping', ['-c', '3', '-i', '0.2', '-W', '5', VM_IP]);
      expect(ping.stdout).toMatch(/3 packets transmitted, 3 received/);
      expect(lab.lab().counters('upstream:eth0').drops).toEqual({});
    } finally {
      await lab?.close();
      await ns.destroy();
    }
  });

  it('on a trunk: an ARP tagged VLAN 10 from a MAC behind the stand-in is answered, tagged 10', async () => {
    const port = 27000 + (process.pid % 20000);
    const t = attachTopology([{ name: 'upstream', interface: 'tor-1:eth4', type: 'vxlan', local: { address: '127.0.0.1', port }, remote: { address: '127.0.0.1', port: port + 1 }, vni: 77 }]) as {
      physicalSwitches: Array<{ ports: unknown[] }>;
    };
    t.physicalSwitches[0]!.ports.push({ name: 'eth4', mode: 'trunk', allowedVlans: [10], nativeVlan: null });
    const v = validateTopology(t);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    const lab = await serveWithAttachments(v);
    const peer = dgram.createSocket('udp4');
    try {
      await new Promise<void>((r) => peer.bind(port + 1, '127.0.0.1', r));
      const reply = new Promise<Uint8Array>((resolve) =>
        peer.on('message', (m) => {
          const d = decodeVxlan(m);
          if (d.ok && d.frame[16] === 0x08 && d.frame[17] === 0x06 && d.frame[25] === 2) resolve(d.frame);
        })
      );
      peer.send(encodeVxlan(77, buildArp({ op: 'request', srcMac: BEHIND_MAC, senderIp: '10.0.10.50', targetIp: VM_IP, vlan: 10 })), port, '127.0.0.1');
      const f = await reply;
      expect(Buffer.from(f.subarray(0, 6)).toString('hex')).toBe(BEHIND_MAC.replaceAll(':', ''));
      expect(Buffer.from(f.subarray(6, 12)).toString('hex')).toBe(VM_MAC.replaceAll(':', ''));
      expect((f[12]! << 8) | f[13]!).toBe(0x8100);
      expect(((f[14]! << 8) | f[15]!) & 0xfff).toBe(10);
    } finally {
      await new Promise<void>((r) => peer.close(() => r()));
      await lab.close();
    }
  });
});
