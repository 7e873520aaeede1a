/**
 * Frames typed or pasted as hex. `fromHex` accepts the forms people copy from tools:
 *  - plain `0050 56aa 0001`, `00 50 56 aa`, `00:50:56:aa`, `00-50-56`, `0x00, 0x50, ...`,
 *    Wireshark "Copy as Hex Stream" (`005056aa0001...`);
 *  - `xxd` and `tcpdump -xx` / `-XX` dumps (`00000000: 0050 56aa ...  .PV..`, `0x0000:  0050 ...`);
 *  - `hexdump -C` (`00000000  00 50 56 aa ...  |.PV..|`) and Wireshark "Copy as Hex Dump"
 *    (`0000   00 50 56 aa ...   .PV..`): offset and ASCII columns are stripped.
 */
import { FrameInputError } from './errors.js';
import { MAX_FRAME_LEN } from './ethernet.js';

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex stream, no separators (Wireshark's "hex stream"). With `separator`, between bytes. */
export function toHex(bytes: Uint8Array, separator = ''): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (i > 0 ? separator : '') + HEX2[bytes[i]!]!;
  return s;
}

/** `hexdump -C`-style dump, 16 bytes a line. */
export function toHexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let o = 0; o < bytes.length; o += 16) {
    const row = bytes.subarray(o, o + 16);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      hex += i < row.length ? HEX2[row[i]!]! + ' ' : '   ';
      if (i < row.length) ascii += row[i]! >= 0x20 && row[i]! < 0x7f ? String.fromCharCode(row[i]!) : '.';
    }
    lines.push(`${o.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}

const COLON_OFFSET = /^\s*(?:0x)?[0-9a-f]+:(?:\s|$)/i; // xxd, tcpdump -xx
const SPACE_OFFSET = /^\s*(?:0x)?0{4,8}\s{2,}[0-9a-f]{2}(?:\s|$)/i; // hexdump -C, Wireshark hex dump

function stripDumpLine(line: string, mode: 'colon' | 'space'): string {
  let rest = line.trim();
  if (mode === 'colon') {
    rest = rest.replace(/^(?:0x)?[0-9a-f]+:\s*/i, '');
    // hex groups are separated by single spaces; the ASCII column follows two or more
    return rest.split(/\s{2,}/)[0] ?? '';
  }
  if (/^[0-9a-f]{4,8}$/i.test(rest)) return ''; // hexdump's closing line: the length as an offset
  rest = rest.replace(/\|.*\|?\s*$/, ''); // hexdump -C ASCII column
  const m = /^(?:0x)?[0-9a-f]{4,8}\s+/i.exec(rest);
  if (m) rest = rest.slice(m[0].length);
  // Wireshark's hex dump puts the ASCII column after three or more spaces; hexdump -C's middle gap is two
  return rest.split(/\s{3,}/)[0] ?? '';
}

/**
 * Bytes of a hex stream as the server sends it (`toHex`): every pair of hex digits is a byte;
 * anything else is skipped and a trailing odd digit ignored. For display, where `fromHex`'s
 * errors are not wanted.
 */
export function hexToBytes(hex: string): Uint8Array {
  const digits = /^[0-9a-fA-F]*$/.test(hex) ? hex : hex.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(digits.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Bytes from pasted hex (see the module comment for the accepted forms). Throws
 * `FrameInputError` for empty input, a character that is not hex, an odd number of digits, or
 * more than `maxBytes` bytes (default MAX_FRAME_LEN).
 */
export function fromHex(text: string, maxBytes: number = MAX_FRAME_LEN): Uint8Array {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new FrameInputError('no hex digits: paste a frame such as "ffffffffffff005056aa0001 0806 ..."', 'hex');
  const first = lines[0]!;
  const mode = COLON_OFFSET.test(first) && !/^\s*[0-9a-f]{2}:[0-9a-f]{2}/i.test(first) ? 'colon' : SPACE_OFFSET.test(first) ? 'space' : 'plain';
  let body = mode === 'plain' ? lines.join(' ') : lines.map((l) => stripDumpLine(l, mode)).join(' ');
  body = body.replace(/(^|[^0-9a-z])0x/gi, '$1');
  let digits = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (/[0-9a-fA-F]/.test(c)) digits += c;
    else if (!/[\s:,.;-]/.test(c)) {
      throw new FrameInputError(`"${c}" at position ${i + 1} is not a hex digit (use 0-9 and a-f; spaces, colons and dashes may separate bytes)`, 'hex');
    }
  }
  if (digits.length === 0) throw new FrameInputError('no hex digits: paste a frame such as "ffffffffffff005056aa0001 0806 ..."', 'hex');
  if (digits.length % 2 !== 0) throw new FrameInputError(`odd number of hex digits (${digits.length}): every byte needs two digits`, 'hex');
  const n = digits.length / 2;
  if (n > maxBytes) throw new FrameInputError(`too long: ${n} bytes, at most ${maxBytes}`, 'hex');
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}
