/**
 * Explain (O2) and send agree on a frame whose destination MAC is its own source MAC: a physical
 * switch learns the source on the ingress port before its lookup (P1), so the lookup finds the
 * ingress port and filters the frame (SAME_PORT, P3). Explain learns nothing, and used to flood it
 * as unknown unicast instead.
 */
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/lab.js';
import { resolveFrameSpec } from '../../src/engine/frame-spec.js';
import { sendAndObserve } from '../../src/engine/test-runner.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';

const DEFAULT = new URL('../../topologies/default.json', import.meta.url).pathname;

function lab() {
  const r = loadTopologyFileSync(DEFAULT);
  if (!r.ok) throw new Error('default.json invalid');
  return createLab(r.topology);
}

describe('explain agrees with send when the destination MAC is the source MAC', () => {
  for (
    const [what, from, mac] of [
      ['a physical host behind a physical switch', 'laptop:eth0', '00:50:56:aa:bb:01'],
      ['a VM vNIC (its own MAC)', 'web-01:eth0', '00:50:56:a1:00:01'],
    ] as const
  ) {
    it(what, () => {
      const l = lab();
      const frame = resolveFrameSpec(l, from, { kind: 'icmp-echo', dstIp: '10.0.0.22', src: mac, dst: mac });
      const x = l.explain(from, frame);
      const sent = sendAndObserve(lab(), from, frame);
      const fate = (c: { at: string; reason?: string | undefined }) => `${c.at} ${c.reason ?? 'delivered'}`;
      expect(x.copies.map(fate).sort()).toEqual([...sent.deliveries.map((d) => `${d.to} delivered`), ...sent.drops.map((d) => `${d.at} ${d.reason}`)].sort());
      expect(x.copies).toHaveLength(1);
    });
  }
});
