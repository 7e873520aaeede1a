/**
 * LabSession.applyChange keeps a lab's warnings through a cable up/down, a vNIC (dis)connect and
 * an effective-MAC change instead of re-validating the whole lab (a 2,000-node lab's link-down
 * waited 100-300 ms for it): that holds only while no warning reads those fields. Here every
 * example, changed so by the real engine, validates to the very warnings it had.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/index.js';
import { loadTopologyFile } from '../../src/files/topology-file.js';
import { validateTopology } from '../../src/topology/load.js';
import type { RuntimeChangeDoc } from '../../src/topology/runtime-change.js';

const dir = path.resolve(import.meta.dirname, '..', '..', 'topologies');
const examples = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('warnings do not read a cable state, a vNIC connection or a MAC', () => {
  it.each(examples)('%s: the same warnings after every link down, every vNIC disconnected and its MAC changed', async (file) => {
    const loaded = await loadTopologyFile(path.join(dir, file));
    if (!loaded.ok) return; // an example of a broken file: nothing to change
    // the warnings of the document as the engine holds it (a file's also carry line and column)
    const before = validateTopology(loaded.topology).warnings;
    const lab = createLab(loaded.topology);
    const changes: RuntimeChangeDoc[] = [
      ...loaded.topology.links.map((l): RuntimeChangeDoc => ({ kind: 'link', iface: l.a, up: false })),
      ...loaded.topology.vms.flatMap((vm) =>
        vm.nics.flatMap((n, i): RuntimeChangeDoc[] => [
          { kind: 'vnic-connect', iface: `${vm.name}:${n.name}`, connected: false },
          { kind: 'effective-mac', iface: `${vm.name}:${n.name}`, mac: `02:00:5e:00:${(i + 1).toString(16).padStart(2, '0')}:01` },
        ])
      ),
    ];
    let applied = 0;
    for (const c of changes) if (lab.apply(c).ok) applied++;
    expect(applied).toBeGreaterThan(0);
    const after = validateTopology(lab.currentTopology());
    expect(after.warnings).toEqual(before);
  });
});
