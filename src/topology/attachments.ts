/**
 * Checks of a topology's `attachments` beyond their shape (docs/attachments.md): each names a
 * physical host NIC of the topology (the node that stands for the outside host), once; names are
 * unique; sockets are not claimed twice (a VXLAN socket may carry many VNIs, each once); a stream
 * says where (TCP or UNIX), and a TCP server says whom it accepts.
 */
import type { TopologyDoc } from './schema.js';
import { issue, type Issue } from './issue.js';

export function checkAttachments(doc: TopologyDoc): Issue[] {
  const list = doc.attachments ?? [];
  const out: Issue[] = [];
  const nics = new Set<string>();
  for (const h of doc.physicalHosts) for (const n of h.nics) nics.add(`${h.name}:${n.name}`);
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
    if (!nics.has(a.interface)) {
      out.push(issue('error', 'attachment-not-a-host-nic', at('interface'), `${a.interface} is not a NIC of a physical host; an attachment connects a physical host NIC (the node that stands for the outside host), which a link cables to a switch port or a vmnic`));
    } else {
      const other = ifaces.get(a.interface);
      if (other !== undefined) out.push(issue('error', 'duplicate-attachment-interface', at('interface'), `${a.interface} is already attached by attachments[${other}]`));
      else ifaces.set(a.interface, i);
    }
    if (a.type === 'vxlan' || a.type === 'udp') {
      const key = `udp|${a.local.address}:${a.local.port}`;
      const owner = sockets.get(key);
      if (owner !== undefined && (owner.type !== 'vxlan' || a.type !== 'vxlan')) {
        out.push(issue('error', 'attachment-socket-taken', at('local'), `UDP ${a.local.address}:${a.local.port} is already bound by attachments[${owner.i}]; only VXLAN attachments share a socket (one VNI each)`));
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
