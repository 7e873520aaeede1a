/**
 * S5 on the security example: a nested hypervisor's inner VM talks with a MAC that is not its
 * vNIC's. Under the defaults (Reject/Reject/Reject) it cannot talk at all; the fix is forged
 * transmits Accept (its frames leave) plus promiscuous Accept (frames to its MAC come back).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/index.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { validateTopology } from '../../src/topology/load.js';
import { buildArp, buildEthernet } from '../../src/wire/index.js';

const INNER_MAC = '00:50:56:b2:00:01';
const LAPTOP_MAC = '3c:22:fb:40:00:50';

function securityLab() {
  const r = validateTopology(JSON.parse(readFileSync(new URL('../../topologies/security.json', import.meta.url), 'utf8')));
  if (!r.ok) throw new Error('security.json does not load');
  const lab = createLab(r.topology);
  const events: TraceEvent[] = [];
  lab.trace.subscribe((e) => events.push(e));
  const send = (iface: string, frame: Uint8Array) => {
    events.length = 0;
    lab.inject(iface, frame);
    lab.run();
    return {
      deliveredTo: events.filter((e) => e.action === 'deliver').map((e) => e.port),
      drops: events.filter((e) => e.action === 'drop').map((e) => `${e.reason}@${e.port}`),
    };
  };
  // the inner VM asks for the laptop; the laptop answers to the inner VM's MAC
  const innerArp = () => buildArp({ op: 'request', srcMac: INNER_MAC, senderIp: '10.0.0.62', targetIp: '10.0.0.50' });
  const toInner = () => buildEthernet({ src: LAPTOP_MAC, dst: INNER_MAC, ethertype: 0x88b5, payload: new Uint8Array(46) });
  return { lab, send, innerArp, toInner };
}

describe('nested hypervisors (S5)', () => {
  it('S5: under Reject/Reject the inner VM can neither send nor receive; with forged transmits and promiscuous Accept it can', () => {
    const { lab, send, innerArp, toInner } = securityLab();

    // the failure: its frames are dropped at the vNIC, frames to it never reach the nested host
    const out = send('nested-esxi-locked:eth0', innerArp());
    expect(out.deliveredTo).toEqual([]);
    expect(out.drops).toEqual(['FORGED_TRANSMIT@nested-esxi-locked:eth0']);
    expect(send('laptop:eth0', toInner()).deliveredTo).not.toContain('nested-esxi-locked:eth0');

    // forged transmits Accept alone: the inner VM's frames leave, but answers still do not come back
    expect(lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'Nested-Locked', policy: { security: { forgedTransmits: 'accept' } } })).toMatchObject({ ok: true });
    expect(send('nested-esxi-locked:eth0', innerArp()).deliveredTo).toContain('laptop:eth0');
    expect(send('laptop:eth0', toInner()).deliveredTo).not.toContain('nested-esxi-locked:eth0');

    // and promiscuous Accept: frames to the inner VM's MAC reach the nested host too
    expect(lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'Nested-Locked', policy: { security: { promiscuous: 'accept' } } })).toMatchObject({ ok: true });
    expect(send('laptop:eth0', toInner()).deliveredTo).toContain('nested-esxi-locked:eth0');
  });
});
