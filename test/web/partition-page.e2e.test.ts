/**
 * A partition's page says it shows one partition (issue 14, docs/attachments.md "Partitioned
 * labs"): partition h1 of multi-host (esxi-01 with app-01), served as `serve --plan --partition
 * h1` serves it, in real headless Chromium — the header and the window title name the partition,
 * the graph holds esxi-01's nodes and the cut cables' stand-ins and none of another partition's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionRun, partitionTopology, planPartitions } from '../../src/attach/partition-plan.js';
import { openServedAttachments, partitionStatus, type ServedAttachments } from '../../src/cli/serve-attachments.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { validateTopology } from '../../src/topology/load.js';
import { loadTopologyFile } from '../../src/files/topology-file.js';
import { openLabPage, type UiBrowser } from './browser.js';
import { WEB_DIST, assertWebBuilt } from './lab-server.js';

let server: RunningServer | undefined;
let served: ServedAttachments | null = null;
let ui: UiBrowser | undefined;

beforeAll(async () => {
  assertWebBuilt();
  const r = await loadTopologyFile('topologies/multi-host.json');
  if (!r.ok) throw new Error('multi-host.json does not load');
  const doc = r.topology;
  const plan = planPartitions(doc, {
    groups: [{ name: 'net', nodes: ['core-1', 'client-10'] }, { name: 'h1', nodes: ['esxi-01'] }, { name: 'h2', nodes: ['esxi-02'] }],
    basePort: 56000 + (process.pid % 3000) * 3,
  });
  const v = validateTopology(partitionTopology(doc, plan, 'h1'));
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  served = await openServedAttachments(v.topology, partitionRun(doc, plan, 'h1'));
  if (!served) throw new Error('a partition has attachments');
  const s = served;
  server = await startServer({
    port: 0,
    initial: { result: { ...v, topology: s.topology }, source: 'partition h1' },
    createLab: s.createLab,
    staticDir: WEB_DIST,
    partition: partitionStatus(s, () => server?.session)!,
  });
  s.useSession(server.session);
  ui = await openLabPage(server.url);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await server?.close();
  await served?.attachments.close();
});

describe('a partition\'s page', () => {
  it('names the partition it shows in the header and the title, and draws only its nodes', async () => {
    const page = ui!.page;
    expect(await page.textContent('#topology-name')).toBe('multi-host [partition h1 of 3]');
    expect(await page.title()).toBe('multi-host [partition h1 of 3] — vswitch-lab');
    const nodes = await page.evaluate<string[]>('window.vswitchLab.cy.nodes().map((n) => n.id())');
    const names = nodes.join(' ');
    expect(names).toContain('esxi-01');
    expect(names).toContain('cut-1000');
    expect(names).not.toContain('esxi-02');
    expect(names).not.toContain('core-1');
  });
});
