/**
 * The "stack" of a physical host NIC that an attachment connects to the outside: every copy the
 * fabric delivers to the NIC leaves on the attachment's socket (the real host answers, not us).
 * It pings nobody and keeps no ARP cache: the real host has its own.
 */
import { type EndpointArpEntry, type EndpointConfig, type EndpointPort, type EndpointStack, type EndpointStackFactory, type PingOptions, type PingResult, createIpStack } from '../engine/index.js';

/** Where a relay hands its frames (the attachment, once its socket is open), with the frame's id. */
export type RelaySink = (frame: Uint8Array, frameId?: number) => void;

export class RelayStack implements EndpointStack {
  constructor(
    readonly id: string,
    private readonly sinkOf: () => RelaySink | null,
    private readonly port: EndpointPort,
    /** the real peer is a bridge or switch: the NIC takes frames for every MAC (no E1 filter) */
    readonly acceptsAllFrames = false,
    /** a cut cable of a partitioned lab: each frame that leaves is noted (`crossing`) with this text */
    private readonly crossing?: string,
  ) {}

  receive(frame: Uint8Array): void {
    const sink = this.sinkOf();
    const id = this.port.frameId?.();
    if (this.crossing !== undefined && this.port.tracing) this.port.note('crossing', 'O2', `frame #${id ?? '?'} ${this.crossing}`);
    if (sink !== null) sink(frame, id);
  }

  ping(_options: PingOptions, onDone: (result: PingResult) => void): void {
    const error = `${this.id} is attached to a real host (docs/attachments.md): ping from that host instead`;
    this.port.note('local-error', 'E2', error);
    onDone({ transmitted: 0, received: 0, replies: [], errors: [error], done: true });
  }

  arpCache(): EndpointArpEntry[] {
    return [];
  }
}

/**
 * A stack factory that gives the attached NICs a relay (its sink looked up at each frame, so the
 * sockets may open after the lab is built) and every other endpoint `base` (default: our IP stack).
 */
export function relayStackFactory(
  attached: ReadonlySet<string>,
  sinkOf: (iface: string) => RelaySink | null,
  base: EndpointStackFactory = createIpStack,
  acceptAll: ReadonlySet<string> = new Set(),
  crossings: ReadonlyMap<string, string> = new Map(),
): EndpointStackFactory {
  return (config: EndpointConfig, port: EndpointPort) => {
    if (config.kind === 'physical-nic' && attached.has(config.id)) return new RelayStack(config.id, () => sinkOf(config.id), port, acceptAll.has(config.id), crossings.get(config.id));
    return base(config, port);
  };
}
