/**
 * A real Linux stack pings an emulated VM through a `udp` attachment (one raw Ethernet frame per
 * datagram, as GNS3/uBridge and QEMU `-netdev dgram` send them; docs/attachments.md): in a
 * network namespace, a TAP device that socat bridges to a UDP socket on a veth underlay; the lab
 * binds the host end of the veth. `ping -c 3` from the namespace gets 3 replies from web-10 on
 * VLAN 10. Namespace, devices and socat are removed after the test, also when it fails.
 */
import { describe, expect, it } from 'vitest';
import { Netns, randomPair, vethInto } from './netns.js';
import { OUTSIDE_IP, OUTSIDE_MAC, VM_IP, validAttachTopology } from './attach-lab.js';
import { serveWithAttachments } from './served-lab.js';

describe('udp attachment: socat bridges a TAP in a namespace', () => {
  it('ping -c 3 from the TAP gets 3 replies; the lab counts the frames both ways', async () => {
    const [labIp, nsIp] = randomPair();
    const labPort = 21000 + (process.pid % 20000);
    const nsPort = labPort + 1;
    const ns = await Netns.create('vslud');
    let lab: Awaited<ReturnType<typeof serveWithAttachments>> | undefined;
    try {
      await vethInto(ns, labIp, nsIp);
      await ns.ip('tuntap', 'add', 'dev', 'tap0', 'mode', 'tap');
      await ns.ip('link', 'set', 'tap0', 'address', OUTSIDE_MAC, 'up');
      await ns.ip('addr', 'add', `${OUTSIDE_IP}/24`, 'dev', 'tap0');

      lab = await serveWithAttachments(validAttachTopology([{ type: 'udp', local: { address: labIp, port: labPort }, remote: { address: nsIp, port: nsPort } }]));
      await ns.spawnReady(
        'socat',
        ['-d', '-d', `UDP4:${labIp}:${labPort},bind=${nsIp}:${nsPort}`, 'TUN,tun-type=tap,tun-name=tap0,iff-no-pi,iff-up'],
        /starting data transfer loop/,
      );
      const ping = await ns.exec('ping', ['-c', '3', '-i', '0.2', '-W', '5', VM_IP]);
      expect(ping.stdout).toMatch(/3 packets transmitted, 3 received/);
      expect(ping.code).toBe(0);

      const st = lab.served.attachments.status().attachments[0]!;
      expect(st.type).toBe('udp');
      expect(st.rxFrames).toBeGreaterThanOrEqual(4); // ARP + 3 echo requests
      expect(st.txFrames).toBeGreaterThanOrEqual(4); // ARP reply + 3 echo replies
      expect(st.drops).toEqual({});
      const c = lab.lab().counters('web-10:eth0');
      expect(c.txFrames).toBeGreaterThanOrEqual(4);
    } finally {
      await lab?.close();
      await ns.destroy();
    }
  });
});
