/**
 * A ring of three physical switches (trunk ports, no STP) with one physical host on each: the
 * smallest topology that storms (P5). `ring()` is the document; `writeRing()` a file for the CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const RING_HOSTS = ['pc-1', 'pc-2', 'pc-3'] as const;

export function ring(): Record<string, unknown> {
  const sw = (i: number) => ({
    name: `sw-${i}`,
    ports: [
      { name: 'gi1', mode: 'trunk' },
      { name: 'gi2', mode: 'trunk' },
      { name: 'gi3', mode: 'access', vlan: 1 },
    ],
  });
  return {
    version: 1,
    name: 'storm-ring',
    description: 'three physical switches cabled in a ring, no spanning tree',
    physicalSwitches: [sw(1), sw(2), sw(3)],
    physicalHosts: RING_HOSTS.map((name, i) => ({ name, nics: [{ name: 'eth0', mac: `00:aa:bb:00:00:0${i + 1}`, ipv4: `10.9.0.${i + 1}/24` }] })),
    links: [
      { a: 'sw-1:gi1', b: 'sw-2:gi2' },
      { a: 'sw-2:gi1', b: 'sw-3:gi2' },
      { a: 'sw-3:gi1', b: 'sw-1:gi2' },
      ...RING_HOSTS.map((name, i) => ({ a: `${name}:eth0`, b: `sw-${i + 1}:gi3` })),
    ],
  };
}

/** The ring as a topology file in a fresh temporary folder. */
export function writeRing(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'vswitch-lab-storm-')), 'storm-ring.json');
  writeFileSync(file, JSON.stringify(ring(), null, 2));
  return file;
}
