/**
 * A real Linux stack pings an emulated VM through a `vxlan` attachment (docs/attachments.md):
 * a network namespace with a veth underlay and a kernel vxlan device pointed at the lab (the lab
 * binds the host end of the veth). `ping -c 3` from the namespace reaches web-10 on VLAN 10: the
 * kernel ARPs, our stack answers, the access port puts the frames in VLAN 10 (P2), the vSwitch
 * tags/untags on the trunk uplink (V2). tcpdump in the namespace and the lab's capture both see
 * the frames; the lab's capture carries its decisions. Namespace, devices and processes are
 * removed after the test, also when it fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tool } from '../capture/capture-tools.js';
import { Netns, randomPair, stop, vethInto } from './netns.js';
import { OUTSIDE_IP, OUTSIDE_MAC, VM_IP, VM_MAC, validAttachTopology } from './attach-lab.js';
import { serveWithAttachments } from './served-lab.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vsl-vxlan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vxlan attachment: a real kernel vxlan device pings a VM in the lab', () => {
  it('ping -c 3 gets 3 replies; tcpdump in the namespace and the lab capture see the same ICMP frames, the lab with decisions', async () => {
    const [labIp, nsIp] = randomPair();
    // not 4789: parallel runs may hold it; the port is configurable, and both ends say it
    const port = 20000 + (process.pid % 20000);
    const ns = await Netns.create('vslvx');
    let lab: Awaited<ReturnType<typeof serveWithAttachments>> | undefined;
    try {
      await vethInto(ns, labIp, nsIp);
      await ns.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '4242', 'local', nsIp, 'remote', labIp, 'dstport', String(port), 'nolearning');
      await ns.ip('link', 'set', 'vx0', 'address', OUTSIDE_MAC, 'mtu', '1450');
      await ns.ip('addr', 'add', `${OUTSIDE_IP}/24`, 'dev', 'vx0');
      await ns.ip('link', 'set', 'vx0', 'up');

      lab = await serveWithAttachments(validAttachTopology([{ type: 'vxlan', local: { address: labIp, port }, remote: { address: nsIp, port }, vni: 4242 }]));

      const pcap = path.join(dir, 'ns.pcap');
      const dump = await ns.spawnReady('tcpdump', ['-i', 'vx0', '-U', '--immediate-mode', '-n', '-Z', 'root', '-w', pcap], /listening on/);
      const ping = await ns.exec('ping', ['-c', '3', '-i', '0.2', '-W', '5', VM_IP]);
      expect(ping.stdout).toMatch(/3 packets transmitted, 3 received/);
      expect(ping.code).toBe(0);
      await stop(dump.child);

      // the namespace's own view (tcpdump wrote it, tshark reads it)
      const seen = await tool('tshark', ['-r', pcap, '-T', 'fields', '-e', 'eth.src', '-e', 'eth.dst', '-e', 'icmp.type', '-e', 'icmp.seq']);
      expect(seen.code, seen.stderr).toBe(0);
      const rows = seen.stdout.trim().split('\n').map((l) => l.split('\t'));
      const echoReplies = rows.filter((r) => r[0] === VM_MAC && r[1] === OUTSIDE_MAC && r[2] === '0');
      const echoRequests = rows.filter((r) => r[0] === OUTSIDE_MAC && r[2] === '8');
      expect(echoRequests.length).toBe(3);
      expect(echoReplies.length).toBe(3);

      // the lab's capture of the same frames, with its decisions (pcapng comments)
      const res = await lab.get('/api/capture/download?points=outside:eth0,web-10:eth0,tor-1:eth1');
      expect(res.status).toBe(200);
      const labFile = path.join(dir, 'lab.pcapng');
      writeFileSync(labFile, Buffer.from(await res.arrayBuffer()));
      const fields = ['frame.interface_name', 'icmp.type', 'vlan.id', 'frame.comment', 'icmp.seq'];
      const labRows = (await tool('tshark', ['-r', labFile, '-Y', 'icmp', '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])])).stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      // the requests the namespace sent entered at outside:eth0 (HostTx) and reached web-10 (PortOutput)
      const atVm = labRows.filter((r) => r[0] === 'web-10:eth0 PortOutput' && r[1] === '8');
      expect(atVm.length).toBe(3);
      // on the trunk between tor-1 and the host, the frames carry VLAN 10 (P2 access -> trunk tag, V2)
      const onTrunk = labRows.filter((r) => r[0]!.startsWith('tor-1:eth1') && r[1] === '8');
      expect(onTrunk.length).toBe(3);
      for (const r of onTrunk) expect(r[2]).toBe('10');
      // the replies left through outside:eth0 to the real host
      const out = labRows.filter((r) => r[0] === 'outside:eth0 HostRx' && r[1] === '0');
      expect(out.length).toBe(3);
      for (const r of [...atVm, ...out]) expect(r[3]).toMatch(/\S/); // each carries the engine's decision line
      // the same frames on both sides: the echo sequence numbers match
      expect(atVm.map((r) => r[4])).toEqual(echoRequests.map((r) => r[3]));
      expect(out.map((r) => r[4])).toEqual(echoReplies.map((r) => r[3]));

      const st = lab.served.attachments.status().attachments[0]!;
      expect(st.rxFrames).toBeGreaterThanOrEqual(4); // ARP request + 3 echo requests (+ the kernel's ARP replies)
      expect(st.txFrames).toBeGreaterThanOrEqual(4);
      expect(st.drops).toEqual({});
    } finally {
      await lab?.close();
      await ns.destroy();
    }
  });
});
