/**
 * Physical loops: warnings, not errors. A loop is a legal topology — and a dangerous one: a
 * physical switch floods a broadcast out of every other port of its VLAN (P3) and nothing in
 * this lab runs spanning tree, so one broadcast goes round the loop for ever (a broadcast storm).
 * A vSwitch never forwards from one uplink to another (F7) and endpoints do not bridge, so only
 * links between physical switch ports can close a loop.
 *
 * - `parallel-links`: a second link between the same two switches. The ports of one static
 *   EtherChannel (P4) act as one port, so links whose ends are in one channel group on each side
 *   are one logical link, not parallel ones.
 * - `physical-loop`: every other independent loop (one per link that closes a cycle of the
 *   switch graph, named switch by switch with the ports of each hop), and a link between two
 *   ports of one switch.
 *
 * Linear: one pass over the links with union-find, then a walk up a BFS forest per loop named
 * (at most MAX_NAMED_LOOPS; the rest are counted in one warning).
 */
import { formatPath, issue, type Issue, type PathSegment } from './issue.js';
import type { Model } from './model.js';

/** Loops named one by one at most; further ones are counted in one warning. */
export const MAX_NAMED_LOOPS = 100;
/** Hops of a loop named in its message at most (a ring of 1,000 switches is cut in the middle). */
const MAX_NAMED_HOPS = 12;

const STORM = 'a physical switch floods broadcasts out of every other port (P3) and nothing here runs spanning tree, so one broadcast circles the loop for ever: a broadcast storm';

interface End {
  sw: number;
  port: string;
  /** the logical port: the channel group, or the port itself */
  logical: string;
}

interface Edge {
  a: End;
  b: End;
  link: number;
  path: readonly PathSegment[];
  up: boolean;
}

type Warn = (code: string, path: readonly PathSegment[], message: string) => void;

function hopText(names: readonly string[], e: Edge, from: number): string {
  const [x, y] = e.a.sw === from ? [e.a, e.b] : [e.b, e.a];
  return `${names[x.sw]}:${x.port}–${names[y.sw]}:${y.port}`;
}

export function checkPhysicalLoops(model: Model): Issue[] {
  const out: Issue[] = [];
  const warn: Warn = (code, path, message) => out.push(issue('warning', code, path, message));

  // switches by name (the first of a name, as the reference checks do), their ports' channel groups
  const names: string[] = [];
  const index = new Map<string, number>();
  const ports: Map<string, number | undefined>[] = [];
  for (const s of model.physicalSwitches) {
    if (s.name === undefined || index.has(s.name)) continue;
    index.set(s.name, names.length);
    names.push(s.name);
    const p = new Map<string, number | undefined>();
    for (const port of s.ports) if (port.name !== undefined && !p.has(port.name)) p.set(port.name, port.channelGroup);
    ports.push(p);
  }
  if (names.length === 0) return out;

  const endOf = (ref: string | undefined): End | undefined => {
    if (ref === undefined) return undefined;
    const colon = ref.indexOf(':');
    if (colon <= 0) return undefined;
    const sw = index.get(ref.slice(0, colon));
    if (sw === undefined) return undefined;
    const port = ref.slice(colon + 1);
    if (!ports[sw]!.has(port)) return undefined;
    const group = ports[sw]!.get(port);
    return { sw, port, logical: group === undefined ? `port ${port}` : `channel ${group}` };
  };

  // union-find over switches: an edge inside one component closes a loop
  const parent = names.map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };

  const logicalLinks = new Set<string>();
  const firstBetween = new Map<string, Edge>();
  const tree: Edge[] = [];
  const closing: Edge[] = [];
  model.links.forEach((l, i) => {
    const a = endOf(l.a);
    const b = endOf(l.b);
    if (!a || !b) return;
    const edge: Edge = { a, b, link: i, path: l.path, up: l.up };
    if (a.sw === b.sw) {
      if (a.logical === b.logical) return; // both ends in one channel: nothing goes back into it
      warn(
        'physical-loop',
        l.path,
        `physical loop: ${formatPath(l.path)} joins two ports of ${names[a.sw]} (${a.port} and ${b.port}); ${STORM}${l.up ? '' : ` (it closes when ${formatPath(l.path)} comes up)`}; remove the link`,
      );
      return;
    }
    const [lo, hi] = a.sw < b.sw ? [a, b] : [b, a];
    const logicalKey = `${lo.sw} ${lo.logical}\n${hi.sw} ${hi.logical}`;
    if (logicalLinks.has(logicalKey)) return; // another member link of the same EtherChannel pair
    logicalLinks.add(logicalKey);
    const pairKey = `${lo.sw} ${hi.sw}`;
    const first = firstBetween.get(pairKey);
    if (first) {
      warn(
        'parallel-links',
        l.path,
        `parallel links: ${formatPath(l.path)} (${hopText(names, edge, first.a.sw)}) and ${formatPath(first.path)} (${hopText(names, first, first.a.sw)}) both join ${names[first.a.sw]} and ${
          names[first.b.sw]
        }, a loop of two links; ${STORM}. To use both, put each switch's ends in one static EtherChannel (the same channelGroup on ${names[a.sw]}, and on ${names[b.sw]}, P4); otherwise remove one`,
      );
      return;
    }
    firstBetween.set(pairKey, edge);
    const ra = find(a.sw);
    const rb = find(b.sw);
    if (ra === rb) closing.push(edge);
    else {
      parent[ra] = rb;
      tree.push(edge);
    }
  });
  if (closing.length === 0) return out;

  // a BFS forest of the tree edges: parent edge and depth of each switch
  const adjacent: Edge[][] = names.map(() => []);
  for (const e of tree) {
    adjacent[e.a.sw]!.push(e);
    adjacent[e.b.sw]!.push(e);
  }
  const depth = new Int32Array(names.length).fill(-1);
  const up: (Edge | undefined)[] = names.map(() => undefined);
  for (let root = 0; root < names.length; root++) {
    if (depth[root] !== -1) continue;
    depth[root] = 0;
    const queue = [root];
    for (let q = 0; q < queue.length; q++) {
      const x = queue[q]!;
      for (const e of adjacent[x]!) {
        const y = e.a.sw === x ? e.b.sw : e.a.sw;
        if (depth[y] !== -1) continue;
        depth[y] = depth[x]! + 1;
        up[y] = e;
        queue.push(y);
      }
    }
  }
  const other = (e: Edge, x: number) => (e.a.sw === x ? e.b.sw : e.a.sw);

  for (const c of closing.slice(0, MAX_NAMED_LOOPS)) {
    // from the closing link's b end through the forest to its a end, then the closing link back to b
    let u = c.b.sw;
    let v = c.a.sw;
    const fromU: { edge: Edge; from: number }[] = [];
    const fromV: { edge: Edge; from: number }[] = [];
    while (u !== v) {
      if (depth[u]! >= depth[v]!) {
        const e = up[u]!;
        fromU.push({ edge: e, from: u });
        u = other(e, u);
      } else {
        const e = up[v]!;
        fromV.push({ edge: e, from: v });
        v = other(e, v);
      }
    }
    const hops: { edge: Edge; from: number }[] = [...fromU];
    for (let k = fromV.length - 1; k >= 0; k--) {
      const h = fromV[k]!;
      hops.push({ edge: h.edge, from: other(h.edge, h.from) });
    }
    hops.push({ edge: c, from: c.a.sw });
    const switches = [names[c.b.sw]!, ...hops.map((h) => names[other(h.edge, h.from)]!)];
    const hopTexts = hops.map((h) => hopText(names, h.edge, h.from));
    const cut = <T>(xs: T[], more: (n: number) => T): T[] =>
      xs.length <= MAX_NAMED_HOPS ? xs : [...xs.slice(0, MAX_NAMED_HOPS / 2), more(xs.length - MAX_NAMED_HOPS), ...xs.slice(-MAX_NAMED_HOPS / 2)];
    const down = hops.filter((h) => !h.edge.up).map((h) => formatPath(h.edge.path));
    warn(
      'physical-loop',
      c.path,
      `physical loop of ${hops.length} switches: ${cut(switches, (n) => `… ${n} more …`).join(' -> ')} (links ${cut(hopTexts, (n) => `… ${n} more …`).join(', ')}); ${STORM}${
        down.length ? ` (it closes when ${down.join(', ')} ${down.length === 1 ? 'comes' : 'come'} up)` : ''
      }; unplug one of these links`,
    );
  }
  if (closing.length > MAX_NAMED_LOOPS) {
    const more = closing.length - MAX_NAMED_LOOPS;
    warn('physical-loop', [], `and ${more} more physical loop${more === 1 ? '' : 's'} among the physical switches (only the first ${MAX_NAMED_LOOPS} are named)`);
  }
  return out;
}
