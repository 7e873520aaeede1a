/**
 * Checks of a topology's `attachments` beyond their shape (docs/attachments.md): each names a
 * physical host NIC of the topology (the node that stands for the outside host), or a switch port
 * or vmnic that has no cable, once; names are unique; sockets are not claimed twice (a VXLAN
 * socket may carry many VNIs, each once); a stream says where (TCP or UNIX), and a TCP server
 * says whom it accepts.
 *
 * `withAttachmentStandIns` turns an attachment on a switch port or vmnic into the plain form: a
 * stand-in physical host (drawn, counted, captured like any node) cabled to that port, whose NIC
 * the attachment names and which takes frames for every MAC (the real peer is a switch or bridge).
 */
import type { AttachmentDoc, PhysicalHostDoc, TopologyDoc } from './schema.js';
import { issue, type Issue } from './issue.js';

export function checkAttachments(doc: TopologyDoc): Issue[] {
  const list = doc.attachments ?? [];
  const out: Issue[] = [];
  if (list.length === 0) return out; // nothing to check (and no index of every link to build)
  const nics = new Set<string>();
  for (const h of doc.physicalHosts) for (const n of h.nics) nics.add(`${h.name}:${n.name}`);
  const ports = portsWithoutCable(doc);
  const cabled = cableOf(doc);
  const names = new Map<string, number>();
  const ifaces = new Map<string, number>();
  /** `udp|addr:port` -> owner index; vxlan sockets also by VNI */
  const sockets = new Map<string, { i: number; type: string }>();
  const vnis = new Map<string, number>();
  list.forEach((a, i) => {
    const at = (field: string): (string | number)[] => ['attachments', i, field];
    const prev = names.get(a.name);
    if (prev !== undefined) out.push(issue('error', 'duplicate-attachment', at('name'), `attachment name "${a.name}" is already used by attachments[${prev}]`));
    else names.set(a.name, i);
    if (!nics.has(a.interface) && !ports.has(a.interface)) {
      const cable = cabled.get(a.interface);
      out.push(
        cable !== undefined
          ? issue('error', 'attachment-port-cabled', at('interface'), `${a.interface} already has a cable (links[${cable}]); attach the physical host NIC at its other end, or remove the cable`)
          : issue(
            'error',
            'attachment-not-a-host-nic',
            at('interface'),
            `${a.interface} is neither a physical host NIC nor a switch port or vmnic of this topology; an attachment connects one of those`,
          ),
      );
    } else {
      const other = ifaces.get(a.interface);
      if (other !== undefined) out.push(issue('error', 'duplicate-attachment-interface', at('interface'), `${a.interface} is already attached by attachments[${other}]`));
      else ifaces.set(a.interface, i);
    }
    if (a.type === 'vxlan' || a.type === 'udp') {
      const key = `udp|${a.local.address}:${a.local.port}`;
      const owner = sockets.get(key);
      if (owner !== undefined && (owner.type !== 'vxlan' || a.type !== 'vxlan')) {
        out.push(
          issue(
            'error',
            'attachment-socket-taken',
            at('local'),
            `UDP ${a.local.address}:${a.local.port} is already bound by attachments[${owner.i}]; only VXLAN attachments share a socket (one VNI each)`,
          ),
        );
      } else if (owner === undefined) sockets.set(key, { i, type: a.type });
      if (a.type === 'vxlan') {
        const vk = `${key}|${a.vni}`;
        const o = vnis.get(vk);
        if (o !== undefined) out.push(issue('error', 'duplicate-vni', at('vni'), `VNI ${a.vni} on ${a.local.address}:${a.local.port} is already used by attachments[${o}]`));
        else vnis.set(vk, i);
      }
    } else {
      if ((a.tcp === undefined) === (a.unix === undefined)) {
        out.push(issue('error', 'stream-endpoint', ['attachments', i], 'a stream attachment names exactly one of "tcp" ({address, port}) or "unix" (a socket path)'));
      }
      if (a.role === 'server' && a.tcp !== undefined) {
        if (a.peer === undefined) out.push(issue('error', 'stream-peer-missing', ['attachments', i], 'a TCP stream server needs "peer": the only address it accepts a connection from'));
        const key = `tcp|${a.tcp.address}:${a.tcp.port}`;
        const owner = sockets.get(key);
        if (owner !== undefined) out.push(issue('error', 'attachment-socket-taken', at('tcp'), `TCP ${a.tcp.address}:${a.tcp.port} is already bound by attachments[${owner.i}]`));
        else sockets.set(key, { i, type: 'stream' });
      }
    }
  });
  return out;
}

function cableOf(doc: TopologyDoc): Map<string, number> {
  const m = new Map<string, number>();
  doc.links.forEach((l, i) => {
    m.set(l.a, i);
    m.set(l.b, i);
  });
  return m;
}

/** Switch ports and vmnics (`node:interface`) that no link names. */
function portsWithoutCable(doc: TopologyDoc): Set<string> {
  const cabled = cableOf(doc);
  const out = new Set<string>();
  for (const sw of doc.physicalSwitches) for (const p of sw.ports) out.add(`${sw.name}:${p.name}`);
  for (const h of doc.hosts) for (const n of h.nics) out.add(`${h.name}:${n.name}`);
  for (const id of cabled.keys()) out.delete(id);
  return out;
}

/** A locally administered MAC for a stand-in NIC, from its name (stable across runs). */
function standInMac(seed: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  const b = [0x02, 0x5e, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * The topology with every attachment on a switch port or vmnic turned into a stand-in physical
 * host `<attachment name>` (or `<name>-outside` when that name is taken) cabled to the port, the
 * attachment naming the stand-in's `eth0` and taking every MAC. Attachments on physical host NICs
 * are left as they are. A valid topology stays valid; the input is not changed.
 */
export function withAttachmentStandIns(doc: TopologyDoc): TopologyDoc {
  const list = doc.attachments ?? [];
  const ports = portsWithoutCable(doc);
  if (!list.some((a) => ports.has(a.interface))) return doc;
  const taken = new Set<string>([...doc.hosts, ...doc.vms, ...doc.physicalSwitches, ...doc.physicalHosts].map((n) => n.name));
  const hosts: PhysicalHostDoc[] = [...doc.physicalHosts];
  const links = [...doc.links];
  const attachments: AttachmentDoc[] = list.map((a) => {
    if (!ports.has(a.interface)) return a;
    let name = a.name;
    for (let i = 1; taken.has(name); i++) name = `${a.name}-outside${i > 1 ? i : ''}`;
    taken.add(name);
    hosts.push({ name, nics: [{ name: 'eth0', mac: standInMac(`${doc.name}/${a.name}`), mtu: 9216 }] });
    links.push({ a: `${name}:eth0`, b: a.interface, up: true });
    return { ...a, interface: `${name}:eth0`, acceptAllMacs: true };
  });
  return { ...doc, physicalHosts: hosts, links, attachments };
}
