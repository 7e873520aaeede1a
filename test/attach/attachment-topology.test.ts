/**
 * The `attachments` of a topology file (docs/attachments.md): defaults (VXLAN UDP port 4789 on
 * both ends), and the checks with their JSON paths — an attachment connects a physical host NIC,
 * once; VNIs are unique per socket; only VXLAN attachments share a socket; a stream names TCP or
 * UNIX, and a TCP server names its peer.
 */
import { describe, expect, it } from 'vitest';
import { validateTopology } from '../../src/topology/load.js';
import { withAttachmentStandIns } from '../../src/topology/attachments.js';
import { attachTopology, type AttachmentInput } from './attach-lab.js';

const vx = (vni: number, extra: Partial<AttachmentInput> = {}): AttachmentInput =>
  ({ type: 'vxlan', local: { address: '127.0.0.1' }, remote: { address: '127.0.0.2' }, vni, ...extra }) as AttachmentInput;

function errors(list: AttachmentInput[]): Array<[string, string]> {
  const r = validateTopology(attachTopology(list));
  return r.errors.map((e) => [e.path, e.code]);
}

describe('attachments in the topology', () => {
  it('VXLAN defaults to UDP port 4789 on both ends', () => {
    const r = validateTopology(attachTopology([vx(100)]));
    expect(r.ok).toBe(true);
    const a = r.ok ? r.topology.attachments![0]! : null;
    expect(a).toMatchObject({ type: 'vxlan', local: { port: 4789 }, remote: { port: 4789 }, vni: 100 });
  });

  it('an attachment names a physical host NIC, or a switch port or vmnic without a cable, each once', () => {
    expect(errors([vx(1, { interface: 'tor-1:eth2' })])).toEqual([['attachments[0].interface', 'attachment-port-cabled']]);
    expect(errors([vx(1, { interface: 'tor-1:eth9' })])).toEqual([['attachments[0].interface', 'attachment-not-a-host-nic']]);
    expect(errors([vx(1), vx(2, { local: { address: '127.0.0.1', port: 4790 } })])).toEqual([['attachments[1].interface', 'duplicate-attachment-interface']]);
  });

  it('one socket carries many VNIs, each once; a UDP attachment does not share a socket', () => {
    expect(errors([vx(1), vx(2, { interface: 'outside2:eth0' })])).toEqual([]);
    expect(errors([vx(1), vx(1, { interface: 'outside2:eth0' })])).toEqual([['attachments[1].vni', 'duplicate-vni']]);
    expect(
      errors([vx(1), { type: 'udp', interface: 'outside2:eth0', local: { address: '127.0.0.1', port: 4789 }, remote: { address: '127.0.0.2', port: 5000 } }]),
    ).toEqual([['attachments[1].local', 'attachment-socket-taken']]);
  });

  it('a stream names exactly one of tcp or unix; a TCP server names the peer it accepts', () => {
    expect(errors([{ type: 'stream', role: 'client' }])).toEqual([['attachments[0]', 'stream-endpoint']]);
    expect(errors([{ type: 'stream', role: 'server', tcp: { address: '127.0.0.1', port: 7000 } }])).toEqual([['attachments[0]', 'stream-peer-missing']]);
    expect(errors([{ type: 'stream', role: 'server', unix: '/tmp/x.sock' }])).toEqual([]);
  });

  it('the shape is checked: a VNI beyond 24 bits, an unknown type', () => {
    expect(errors([vx(1 << 24)])).toEqual([['attachments[0].vni', expect.any(String)]]);
    expect(errors([{ type: 'gre' } as unknown as AttachmentInput]).map((e) => e[0])).toEqual(['attachments[0].type']);
  });

  it('an attachment on a switch port or vmnic gets a stand-in physical host cabled to it, whose NIC takes every MAC', () => {
    const t = attachTopology([vx(1, { name: 'up', interface: 'esxi-01:vmnic1' })]) as { hosts: Array<{ nics: unknown[] }> };
    t.hosts[0]!.nics.push({ name: 'vmnic1', mac: '00:1b:21:3a:5d:21' });
    const r = validateTopology(t);
    expect(r.errors).toEqual([]);
    if (!r.ok) return;
    const x = withAttachmentStandIns(r.topology);
    expect(x.physicalHosts.find((h) => h.name === 'up')).toMatchObject({ nics: [{ name: 'eth0', mtu: 9216 }] });
    expect(x.links).toContainEqual({ a: 'up:eth0', b: 'esxi-01:vmnic1', up: true });
    expect(x.attachments![0]).toMatchObject({ interface: 'up:eth0', acceptAllMacs: true });
    expect(validateTopology(x).errors).toEqual([]); // still valid, and stable
    expect(withAttachmentStandIns(x)).toBe(x);
    expect(r.topology.attachments![0]!.interface).toBe('esxi-01:vmnic1'); // the input is not changed
  });
});
