/**
 * src/attach: real transports that connect physical host NICs of a lab to real hosts (VXLAN,
 * UDP, QEMU stream). Above the engine, beside server and capture; no switching logic.
 */
export { Attachments } from './attachments.js';
export type { AttachTarget, AttachmentStatus, AttachmentState, SocketStatus, AttachDrop } from './attachments.js';
export { AttachError } from './attach-error.js';
export { ATTACH_REASONS, VXLAN_PORT_HINT } from './attach-reasons.js';
export type { AttachReason } from './attach-reasons.js';
export { encodeVxlan, decodeVxlan, VXLAN_OVERHEAD, VXLAN_HEADER_LEN } from './vxlan-header.js';
export { encodeStreamFrame, StreamDecoder } from './stream-framing.js';
export { RelayStack, relayStackFactory } from './relay-stack.js';
