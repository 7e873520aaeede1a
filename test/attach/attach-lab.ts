/**
 * The lab the attachment tests put real hosts in front of: esxi-01 with web-10 on port group
 * "VLAN10-Web" (VLAN 10, the vSwitch tags on vmnic0), vmnic0 cabled to tor-1:eth1 (a trunk
 * allowing 1 and 10), and the physical host "outside" — the node that stands for the real host —
 * whose eth0 is cabled to tor-1:eth2, an access port in VLAN 10 (and "outside2" likewise on tor-1:eth3). Attachments connect outside:eth0.
 * Not a test file itself.
 */
import type { TopologyInput } from '../../src/topology/schema.js';
import { validateTopology } from '../../src/topology/load.js';
import type { ValidateResult } from '../../src/topology/load.js';

export const OUTSIDE_MAC = '02:00:5e:10:00:50';
export const OUTSIDE2_MAC = '02:00:5e:10:00:51';
export const OUTSIDE_IP = '10.0.10.50';
export const VM_IP = '10.0.10.21';
export const VM_MAC = '00:50:56:a1:10:01';

type AttachmentIn = NonNullable<TopologyInput['attachments']>[number];
/** An attachment as written, name and interface optional (default att<i> on outside:eth0). */
export type AttachmentInput = AttachmentIn extends infer T ? (T extends unknown ? Omit<T, 'interface' | 'name'> & { name?: string; interface?: string } : never) : never;

export function attachTopology(attachments: AttachmentInput[]): unknown {
  return {
    version: 1,
    name: 'attach-test',
    hosts: [
      {
        name: 'esxi-01',
        nics: [{ name: 'vmnic0', mac: '00:1b:21:3a:5d:20' }],
        vswitches: [{ name: 'vSwitch0', uplinks: ['vmnic0'], portGroups: [{ name: 'VLAN10-Web', vlan: 10 }] }],
      },
    ],
    vms: [{ name: 'web-10', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VLAN10-Web', mac: VM_MAC, ipv4: `${VM_IP}/24` }] }],
    physicalSwitches: [
      {
        name: 'tor-1',
        ports: [
          { name: 'eth1', mode: 'trunk', allowedVlans: [1, 10], nativeVlan: 1 },
          { name: 'eth2', mode: 'access', vlan: 10 },
          { name: 'eth3', mode: 'access', vlan: 10 },
        ],
      },
    ],
    physicalHosts: [
      { name: 'outside', nics: [{ name: 'eth0', mac: OUTSIDE_MAC, ipv4: `${OUTSIDE_IP}/24` }] },
      { name: 'outside2', nics: [{ name: 'eth0', mac: OUTSIDE2_MAC, ipv4: '10.0.10.51/24' }] },
    ],
    links: [
      { a: 'esxi-01:vmnic0', b: 'tor-1:eth1' },
      { a: 'outside:eth0', b: 'tor-1:eth2' },
      { a: 'outside2:eth0', b: 'tor-1:eth3' },
    ],
    attachments: attachments.map((a, i) => ({ name: `att${i}`, interface: 'outside:eth0', ...a })),
  };
}

export function validAttachTopology(attachments: AttachmentInput[]): Extract<ValidateResult, { ok: true }> {
  const r = validateTopology(attachTopology(attachments));
  if (!r.ok) throw new Error(`test topology invalid: ${JSON.stringify(r.errors)}`);
  return r;
}
