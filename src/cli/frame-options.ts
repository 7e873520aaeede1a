/**
 * The frame options of `send` and `explain`: command-line words -> a `FrameSpec` (the same
 * object a topology's tests block and the API use), resolved into bytes later by
 * src/engine/frame-spec.ts. Every mistake is a UsageError naming the option (exit 2).
 */
import { FrameSpec, type FrameSpecDoc } from '../topology/schema.js';
import { FrameInputError, parseIpv4Cidr } from '../wire/index.js';
import { UsageError, intOption } from './cli-args.js';

/** parseArgs configuration of the frame options. */
export const FRAME_OPTIONS = {
  hex: { type: 'string' },
  dst: { type: 'string' },
  src: { type: 'string' },
  vlan: { type: 'string', multiple: true },
  pcp: { type: 'string' },
  'arp-request': { type: 'string' },
  'arp-reply': { type: 'string' },
  'sender-ip': { type: 'string' },
  'target-mac': { type: 'string' },
  'gratuitous-arp': { type: 'boolean' },
  /** internal: the optional address of --gratuitous-arp (see normalizeFrameArgs) */
  'gratuitous-arp-ip': { type: 'string' },
  rarp: { type: 'boolean' },
  'icmp-echo': { type: 'string' },
  size: { type: 'string' },
  df: { type: 'boolean' },
  id: { type: 'string' },
  seq: { type: 'string' },
  'src-ip': { type: 'string' },
  udp: { type: 'string' },
  dport: { type: 'string' },
  sport: { type: 'string' },
  ethertype: { type: 'string' },
  'payload-hex': { type: 'string' },
  'payload-length': { type: 'string' },
  ttl: { type: 'string' },
  dscp: { type: 'string' },
} as const;

export const FRAME_OPTIONS_HELP = `frame (exactly one kind):
  --hex <bytes>             raw frame as hex (Wireshark hex stream, xxd, hexdump -C, tcpdump -xx)
  --arp-request <ip>        ARP who-has <ip> (broadcast)         [--sender-ip <ip>]
  --arp-reply <ip>          ARP reply to <ip>                    [--sender-ip <ip>] [--target-mac <mac>]
  --gratuitous-arp [ip]     gratuitous ARP for ip (default: the interface's address)
  --rarp                    RARP announcement (what notify-switches sends, T7)
  --icmp-echo <ip>          ICMP echo request                    [--size N] [--df] [--id N] [--seq N] [--src-ip <ip>]
  --udp <ip> --dport N      UDP datagram                         [--sport N] [--payload-hex <hex> | --payload-length N] [--df] [--src-ip <ip>]
  --ethertype <n>           any Ethernet frame (0x88b5, 2054...) [--payload-hex <hex> | --payload-length N]
  (--icmp-echo, --udp)      IPv4 header                          [--ttl N] [--dscp N]
  --payload-length N        N bytes of 00 01 02 ... instead of --payload-hex
header (all kinds but --hex):
  --dst <mac>               destination MAC (default: broadcast; for --icmp-echo/--udp the MAC of the
                            interface that owns the address, or the gateway's: the lab knows the answer)
  --src <mac>               source MAC (default: the interface's effective MAC)
  --vlan <id>               add an 802.1Q tag; repeat or write "100,10" for QinQ (outer first)
  --pcp <0..7>              priority in the tag(s)`;

const KINDS = ['hex', 'arp-request', 'arp-reply', 'gratuitous-arp', 'rarp', 'icmp-echo', 'udp', 'ethertype'] as const;
type KindOption = (typeof KINDS)[number];

/** Options that only make sense with some kinds. */
const ONLY_WITH: Record<string, readonly KindOption[]> = {
  dst: ['arp-request', 'arp-reply', 'gratuitous-arp', 'rarp', 'icmp-echo', 'udp', 'ethertype'],
  src: ['arp-request', 'arp-reply', 'gratuitous-arp', 'rarp', 'icmp-echo', 'udp', 'ethertype'],
  vlan: ['arp-request', 'arp-reply', 'gratuitous-arp', 'rarp', 'icmp-echo', 'udp', 'ethertype'],
  pcp: ['arp-request', 'arp-reply', 'gratuitous-arp', 'rarp', 'icmp-echo', 'udp', 'ethertype'],
  'sender-ip': ['arp-request', 'arp-reply'],
  'target-mac': ['arp-reply'],
  size: ['icmp-echo'],
  df: ['icmp-echo', 'udp'],
  ttl: ['icmp-echo', 'udp'],
  dscp: ['icmp-echo', 'udp'],
  'payload-length': ['udp', 'ethertype'],
  id: ['icmp-echo'],
  seq: ['icmp-echo'],
  'src-ip': ['icmp-echo', 'udp'],
  dport: ['udp'],
  sport: ['udp'],
  'payload-hex': ['udp', 'ethertype'],
};

/** Which spec field each option fills (to name the option in schema errors). */
const OPTION_OF_FIELD: Record<string, string> = {
  hex: '--hex',
  dst: '--dst',
  src: '--src',
  vlan: '--vlan',
  pcp: '--pcp',
  senderIp: '--sender-ip',
  targetMac: '--target-mac',
  ip: '--gratuitous-arp',
  size: '--size',
  id: '--id',
  seq: '--seq',
  srcIp: '--src-ip',
  dstPort: '--dport',
  srcPort: '--sport',
  ethertype: '--ethertype',
  payloadHex: '--payload-hex',
  payloadLength: '--payload-length',
  ttl: '--ttl',
  dscp: '--dscp',
  df: '--df',
  // builder fields (src/wire/builders.ts)
  srcMac: '--src',
  dstMac: '--dst',
  dataSize: '--size',
};

/**
 * A FrameInputError from resolving or building the frame, with the spec field that starts its
 * message (`senderIp: ...`) replaced by the command-line option (`--sender-ip: ...`).
 */
export function frameErrorForCli(err: unknown): unknown {
  if (!(err instanceof FrameInputError) || err.field === undefined) return err;
  const option = OPTION_OF_FIELD[err.field];
  if (option === undefined || !err.message.startsWith(`${err.field}:`)) return err;
  const rest = err.message.slice(err.field.length).replace(new RegExp(`give ${err.field}\\b`), `give ${option}`);
  return new FrameInputError(`${option}${rest}`, err.field);
}

/**
 * `--gratuitous-arp` takes an optional address, which parseArgs cannot express: rewrite
 * `--gratuitous-arp 10.0.0.5` and `--gratuitous-arp=10.0.0.5` into the internal
 * `--gratuitous-arp --gratuitous-arp-ip 10.0.0.5`.
 */
export function normalizeFrameArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (a.startsWith('--gratuitous-arp=')) {
      out.push('--gratuitous-arp', '--gratuitous-arp-ip', a.slice('--gratuitous-arp='.length));
    } else if (a === '--gratuitous-arp' && args[i + 1] !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(args[i + 1]!)) {
      out.push('--gratuitous-arp', '--gratuitous-arp-ip', args[i + 1]!);
      i++;
    } else if (a === '--gratuitous-arp-ip' || a.startsWith('--gratuitous-arp-ip=')) {
      throw new UsageError('unknown option --gratuitous-arp-ip (write --gratuitous-arp <ip>)');
    } else out.push(a);
  }
  return out;
}

export type FrameOptionValues = {
  [K in keyof typeof FRAME_OPTIONS]?: (typeof FRAME_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof FRAME_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

function ipOption(text: string, option: string): string {
  const p = text.includes('/') ? null : parseIpv4Cidr(text);
  if (!p) throw new UsageError(`${option}: "${text}" is not an IPv4 address (like 10.0.0.21)`);
  return p.text;
}

/** `--vlan 100 --vlan 10` or `--vlan 100,10` -> 100 or [100, 10]. */
export function vlanOption(values: string[]): number | number[] {
  const ids = values.flatMap((v) => v.split(',')).map((v) => intOption(v, '--vlan', 0, 4095));
  if (ids.length === 0) throw new UsageError('--vlan: give a VLAN ID 0..4095');
  if (ids.length > 2) throw new UsageError(`--vlan: at most two tags (QinQ: outer,inner), got ${ids.length}`);
  return ids.length === 1 ? ids[0]! : ids;
}

/** The FrameSpec the frame options describe; throws UsageError naming the option. */
export function frameSpecFromOptions(values: FrameOptionValues): FrameSpecDoc {
  const given = KINDS.filter((k) => values[k] !== undefined && values[k] !== false);
  if (given.length === 0) {
    throw new UsageError('say what to send: --hex <bytes>, --arp-request <ip>, --arp-reply <ip>, --gratuitous-arp [ip], --rarp, --icmp-echo <ip>, --udp <ip> --dport N, or --ethertype <n>');
  }
  if (given.length > 1) throw new UsageError(`choose one kind of frame, not ${given.map((k) => `--${k}`).join(' and ')}`);
  const kind = given[0]!;
  for (const [opt, kinds] of Object.entries(ONLY_WITH)) {
    if (values[opt as keyof FrameOptionValues] !== undefined && !kinds.includes(kind)) {
      throw new UsageError(
        kind === 'hex' ? `--${opt} does not apply to --hex (the bytes are sent as given)` : `--${opt} does not apply to --${kind} (it goes with ${kinds.map((k) => `--${k}`).join(', ')})`,
      );
    }
  }
  if (values['gratuitous-arp-ip'] !== undefined && kind !== 'gratuitous-arp') throw new UsageError('unknown option --gratuitous-arp-ip');

  const common: Record<string, unknown> = {};
  if (values.dst !== undefined) common.dst = values.dst;
  if (values.src !== undefined) common.src = values.src;
  if (values.vlan !== undefined) common.vlan = vlanOption(values.vlan);
  if (values.pcp !== undefined) common.pcp = intOption(values.pcp, '--pcp', 0, 7);
  const num = (opt: 'size' | 'id' | 'seq' | 'dport' | 'sport', hi: number) => (values[opt] === undefined ? undefined : intOption(values[opt], `--${opt}`, 0, hi, opt === 'id'));

  let spec: Record<string, unknown>;
  switch (kind) {
    case 'hex':
      spec = { kind: 'hex', hex: values.hex };
      break;
    case 'arp-request':
    case 'arp-reply':
      spec = { kind, ...common, targetIp: ipOption(values[kind]!, `--${kind}`) };
      if (values['sender-ip'] !== undefined) spec.senderIp = ipOption(values['sender-ip'], '--sender-ip');
      if (values['target-mac'] !== undefined) spec.targetMac = values['target-mac'];
      break;
    case 'gratuitous-arp':
      spec = { kind, ...common };
      if (values['gratuitous-arp-ip'] !== undefined) spec.ip = ipOption(values['gratuitous-arp-ip'], '--gratuitous-arp');
      break;
    case 'rarp':
      spec = { kind, ...common };
      break;
    case 'icmp-echo':
      spec = { kind, ...common, dstIp: ipOption(values['icmp-echo']!, '--icmp-echo'), size: num('size', 9000), id: num('id', 0xffff), seq: num('seq', 0xffff) };
      break;
    case 'udp':
      if (values.dport === undefined) throw new UsageError('--udp needs --dport N (the destination port)');
      spec = { kind, ...common, dstIp: ipOption(values.udp!, '--udp'), dstPort: num('dport', 0xffff), srcPort: num('sport', 0xffff), payloadHex: values['payload-hex'] };
      break;
    case 'ethertype':
      spec = { kind: 'ethernet', ...common, ethertype: intOption(values.ethertype!, '--ethertype', 0, 0xffff, true), payloadHex: values['payload-hex'] };
      break;
  }
  if (values['src-ip'] !== undefined) spec.srcIp = ipOption(values['src-ip'], '--src-ip');
  if (values.df) spec.df = true;
  if (values.ttl !== undefined) spec.ttl = intOption(values.ttl, '--ttl', 0, 255);
  if (values.dscp !== undefined) spec.dscp = intOption(values.dscp, '--dscp', 0, 63);
  if (values['payload-length'] !== undefined) spec.payloadLength = intOption(values['payload-length'], '--payload-length', 0, 9000);
  for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
  const r = FrameSpec.safeParse(spec);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = String(issue.path[0] ?? 'kind');
    throw new UsageError(`${OPTION_OF_FIELD[field] ?? field}: ${issue.message}`);
  }
  return r.data;
}
