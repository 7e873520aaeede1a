/**
 * RFC 7348 VXLAN header: 8 bytes — flags (0x08: the I flag, "VNI valid"), 24 reserved bits, the
 * 24-bit VNI, 8 reserved bits — before the inner Ethernet frame. Reserved bits are sent as zero
 * and ignored on receipt (§5).
 */

export const VXLAN_HEADER_LEN = 8;
/** The I flag: the VNI is valid. */
export const VXLAN_FLAG_I = 0x08;

/** Field table of the VXLAN header: offsets from its start (VNI: 3 bytes). */
export const VxlanField = { FLAGS: 0, VNI: 4 } as const;

export function vxlanFlags(b: Uint8Array, o = 0): number {
  return b[o + VxlanField.FLAGS]!;
}

/** The 24-bit VNI. */
export function vxlanVni(b: Uint8Array, o = 0): number {
  const v = o + VxlanField.VNI;
  return (b[v]! << 16) | (b[v + 1]! << 8) | b[v + 2]!;
}

/** Writes the 8-byte header (reserved bits zero) at `o`; returns its length. */
export function emitVxlanHeader(vni: number, flags: number, buf: Uint8Array, o = 0): number {
  buf.fill(0, o, o + VXLAN_HEADER_LEN);
  buf[o + VxlanField.FLAGS] = flags;
  const v = o + VxlanField.VNI;
  buf[v] = (vni >>> 16) & 0xff;
  buf[v + 1] = (vni >>> 8) & 0xff;
  buf[v + 2] = vni & 0xff;
  return VXLAN_HEADER_LEN;
}
