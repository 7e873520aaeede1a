/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit words, used by IPv4, ICMP,
 * UDP, TCP and ICMPv6 (the last three over a pseudo-header too).
 */

/** Adds the 16-bit big-endian words of `bytes[offset, offset+length)` to `acc` (unfolded). */
export function sumWords(bytes: Uint8Array, offset: number, length: number, acc = 0): number {
  const end = offset + length;
  let i = offset;
  for (; i + 1 < end; i += 2) acc += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) acc += bytes[i]! << 8;
  // keep the accumulator far from 2^53 on very long inputs
  return acc;
}

/** Folds a sum to 16 bits and complements it: the value to put in a checksum field. */
export function finishChecksum(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** The checksum of a byte range (with any pseudo-header sum in `initial`). */
export function internetChecksum(bytes: Uint8Array, offset: number, length: number, initial = 0): number {
  return finishChecksum(sumWords(bytes, offset, length, initial));
}

/** Pseudo-header sum for UDP/TCP over IPv4. */
export function pseudoHeaderSum4(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/** Pseudo-header sum for UDP/TCP/ICMPv6 over IPv6; addresses read from `bytes` at the offsets. */
export function pseudoHeaderSum6(bytes: Uint8Array, srcOffset: number, dstOffset: number, nextHeader: number, length: number): number {
  let acc = sumWords(bytes, srcOffset, 16, 0);
  acc = sumWords(bytes, dstOffset, 16, acc);
  return acc + (length >>> 16) + (length & 0xffff) + nextHeader;
}
