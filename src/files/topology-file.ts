/**
 * Reading a topology file from disk: the file-system half of loading, kept out of
 * src/topology/load.ts so that the topology layer and the engine beneath it stay free of I/O
 * (architecture.md). A missing file, a directory or a file over the limit is a `kind: 'io'`
 * result naming the file; the text goes on to loadTopologyText.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { issue } from '../topology/issue.js';
import { limitText, loadTopologyText, MAX_TOPOLOGY_BYTES, type LoadOptions, type LoadResult, type LoadUnreadable } from '../topology/load.js';

function ioError(file: string, err: unknown): LoadUnreadable {
  const code = (err as { code?: string }).code;
  const reason = code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES' || code === 'EPERM'
    ? 'permission denied'
    : code === 'EISDIR'
    ? 'is a directory, not a file'
    : err instanceof Error
    ? err.message
    : String(err);
  return { ok: false, kind: 'io', errors: [issue('error', 'unreadable', '', `cannot read ${file}: ${reason}`)], warnings: [], file };
}

function sizeError(file: string, size: number, options: LoadOptions): LoadUnreadable {
  return {
    ok: false,
    kind: 'io',
    errors: [issue('error', 'too-large', '', `${file} is ${(size / 1024 / 1024).toFixed(1)} MB; topology files are limited to ${limitText(options)}`)],
    warnings: [],
    file,
  };
}

/** Reads and loads a topology file. */
export async function loadTopologyFile(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.isDirectory()) return ioError(file, Object.assign(new Error('directory'), { code: 'EISDIR' }));
    if (st.size > (options.maxBytes ?? MAX_TOPOLOGY_BYTES)) return sizeError(file, st.size, options);
    text = await readFile(file, 'utf8');
  } catch (err) {
    return ioError(file, err);
  }
  return loadTopologyText(text, file, options);
}

/** Synchronous loadTopologyFile, for tests and scripts. */
export function loadTopologyFileSync(file: string, options: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return ioError(file, Object.assign(new Error('directory'), { code: 'EISDIR' }));
    if (st.size > (options.maxBytes ?? MAX_TOPOLOGY_BYTES)) return sizeError(file, st.size, options);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return ioError(file, err);
  }
  return loadTopologyText(text, file, options);
}
