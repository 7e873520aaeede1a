/**
 * Why an attachment dropped a datagram, a stream frame or a frame on its way out (counted per
 * attachment, or per socket when no attachment can be named). The engine's own drop reasons
 * (src/engine/reasons.ts) apply once a frame is inside the lab; these apply at the border.
 */
export const ATTACH_REASONS = {
  SHORT_DATAGRAM: 'the datagram is shorter than a VXLAN header (8 bytes)',
  VXLAN_BAD_FLAGS: 'the VXLAN flags byte lacks the I flag (0x08): the VNI is not valid (RFC 7348 §5)',
  UNKNOWN_VNI: 'no attachment on this socket has this VNI',
  UNKNOWN_PEER: 'the sender is not the configured peer address',
  FRAME_TOO_SHORT: 'the inner frame has no complete Ethernet header (14 bytes)',
  FRAME_TOO_LONG: 'the inner frame is longer than the lab accepts (9000-byte payload + header + 2 tags)',
  STREAM_BAD_LENGTH: 'a stream length prefix is beyond any frame (framing lost: the connection is closed)',
  TX_NO_PEER: 'a frame for the outside found no peer connected (stream) or the socket closed',
  TX_QUEUE_FULL: 'a frame for the outside found the socket backed up (more than 4 MiB waiting)',
  TX_ERROR: 'the operating system refused to send a frame to the peer',
  INJECT_REFUSED: 'the lab refused the frame (see the message)',
  CUT_BAD_SHIM: 'a cut cable\'s datagram lacks the shim partitions send (flag 0x01, kind, frame id: src/attach/cut-header.ts)',
} as const;

export type AttachReason = keyof typeof ATTACH_REASONS;

/** Said in every VXLAN error: the port both ends must agree on, and why 4789 may not work. */
export const VXLAN_PORT_HINT = 'VXLAN UDP port: both ends must use the same one; the IANA port 4789 is our default and is often filtered, ' +
  'the Linux kernel defaults to 8472 unless "dstport" is given, containerlab\'s tools vxlan create uses 14789';
