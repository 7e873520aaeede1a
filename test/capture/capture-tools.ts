/**
 * Helpers for the capture format tests: hand-built Ethernet frames, a temp directory, and the
 * Wireshark tools (tshark, capinfos, editcap) as oracles. Not a test file itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** An Ethernet II frame: dst, src, EtherType, payload bytes (padded to 60 bytes). */
export function ethFrame(dst: string, src: string, etherType: number, payload: number[] | Uint8Array = [], pad = true): Buffer {
  const mac = (m: string): Buffer => Buffer.from(m.split(':').join(''), 'hex');
  const head = Buffer.alloc(14);
  mac(dst).copy(head, 0);
  mac(src).copy(head, 6);
  head.writeUInt16BE(etherType, 12);
  const frame = Buffer.concat([head, Buffer.from(payload)]);
  return pad && frame.length < 60 ? Buffer.concat([frame, Buffer.alloc(60 - frame.length)]) : frame;
}

export interface ToolResult {
  code: number;
  stdout: string;
  /** stderr without tshark's "Running as user root" notice (CI runs as root). */
  stderr: string;
}

const ROOT_NOTICE = /^Running as user "root" and group "root"\. This could be dangerous\.\n?/gm;

export function tool(cmd: 'tshark' | 'capinfos' | 'editcap', args: string[]): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(`/usr/bin/${cmd}`, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr: stderr.replace(ROOT_NOTICE, '') });
    });
  });
}

/** `tshark -r file -T fields -e ...` as rows of columns. Fails the test on a non-zero exit or stderr. */
export async function tsharkFields(file: string, fields: string[]): Promise<string[][]> {
  const r = await tool('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])]);
  if (r.code !== 0 || r.stderr !== '') throw new Error(`tshark exit ${r.code}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

export function tempDir(): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-capture-'));
  return { dir, file: (name) => path.join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects what a writer hands its sink. */
export function memorySink(): { sink: (chunk: Uint8Array) => void; bytes: () => Buffer; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  return { sink: (c) => void chunks.push(c), bytes: () => Buffer.concat(chunks), chunks };
}
