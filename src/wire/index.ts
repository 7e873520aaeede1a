/**
 * src/wire: bytes <-> meaning. Field accessors read frames in place; each protocol has a small
 * parsed representation (`*Repr`) and an emitter; builders make valid frames; `describe` and
 * `decodeFrame` explain any bytes. Imports nothing of ours.
 */
export * from './errors.js';
export * from './mac.js';
export * from './ip.js';
export * from './ethernet.js';
export * from './vlan-tag.js';
export * from './checksum.js';
export * from './arp.js';
export * from './ipv4.js';
export * from './icmpv4.js';
export * from './udp.js';
export * from './tcp.js';
export * from './ipv6.js';
export * from './icmpv6.js';
export * from './llc.js';
export * from './stp.js';
export * from './lldp.js';
export * from './cdp.js';
export * from './hex.js';
export * from './builders.js';
export * from './fragment.js';
export * from './describe.js';
export * from './decode.js';
export * from './packet.js';
export * from './frame-summary.js';
export * from './vxlan.js';
