/**
 * Spanning-tree BPDUs (IEEE 802.1D STP, 802.1w RSTP, 802.1s MSTP, 802.1aq SPB): LLC DSAP/SSAP
 * 0x42, protocol id 0x0000, then version, type and the configuration fields. Enough is read to
 * name a BPDU the way Wireshark's Info column does:
 *   `Conf. [TC + ]Root = 32768/0/00:11:22:33:44:55  Cost = 4  Port = 0x8002` (version 0, type 0x00)
 *   `Topology Change Notification` (type 0x80)
 *   `RST. ...` (type 0x02, version 2), `MST. ...` (version 3), `SPT. ...` (version 4, SPB)
 * The root is priority/system-id-extension/MAC: the 16-bit priority field splits into its top 4
 * bits (x 4096) and the 12-bit extension. Checked against tshark (test/wire/stp.test.ts).
 */
import { formatMac } from './mac.js';

export const BPDU_TYPE_CONFIG = 0x00;
export const BPDU_TYPE_RST = 0x02;
export const BPDU_TYPE_TCN = 0x80;
/** Topology Change flag (bit 0 of the flags octet). */
export const BPDU_FLAG_TC = 0x01;

export interface BpduRepr {
  version: number;
  type: number;
  flags: number;
  /** root bridge: priority (multiple of 4096), system id extension, MAC */
  root?: { priority: number; extension: number; mac: string };
  rootPathCost?: number;
  portId?: number;
}

/** Reads the BPDU at `offset` (just after the LLC header) up to `end`; null when too short. */
export function parseBpdu(bytes: Uint8Array, offset: number, end: number): BpduRepr | null {
  if (end - offset < 4) return null;
  if (bytes[offset] !== 0 || bytes[offset + 1] !== 0) return null; // protocol identifier 0x0000
  const version = bytes[offset + 2]!;
  const type = bytes[offset + 3]!;
  if (type === BPDU_TYPE_TCN) return { version, type, flags: 0 };
  if (end - offset < 35) return null;
  const flags = bytes[offset + 4]!;
  const prio = (bytes[offset + 5]! << 8) | bytes[offset + 6]!;
  const cost = ((bytes[offset + 13]! << 24) | (bytes[offset + 14]! << 16) | (bytes[offset + 15]! << 8) | bytes[offset + 16]!) >>> 0;
  const portId = (bytes[offset + 25]! << 8) | bytes[offset + 26]!;
  return {
    version,
    type,
    flags,
    root: { priority: prio & 0xf000, extension: prio & 0x0fff, mac: formatMac(bytes, offset + 7) },
    rootPathCost: cost,
    portId,
  };
}

/** The Info-column summary of a BPDU, as Wireshark words it. */
export function describeBpdu(b: BpduRepr): string {
  if (b.type === BPDU_TYPE_TCN) return 'Topology Change Notification';
  let kind: string;
  if (b.type === BPDU_TYPE_CONFIG) kind = 'Conf.';
  else if (b.type === BPDU_TYPE_RST) kind = b.version >= 4 ? 'SPT.' : b.version === 3 ? 'MST.' : 'RST.';
  else return `STP BPDU type 0x${b.type.toString(16).padStart(2, '0')}`;
  const r = b.root!;
  const tc = (b.flags & BPDU_FLAG_TC) !== 0 ? 'TC + ' : '';
  return `${kind} ${tc}Root = ${r.priority}/${r.extension}/${r.mac}  Cost = ${b.rootPathCost}  Port = 0x${b.portId!.toString(16).padStart(4, '0')}`;
}
