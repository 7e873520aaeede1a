/**
 * Replay memory against file size (issue 17, item 3): `vswitch-lab replay` streams a capture, so
 * its peak RSS must not grow with the file. Writes pcap files of 60-byte records (web-01 ->
 * web-02 of the default topology, 1 µs apart) in a temp dir — 64 MiB, 256 MiB and 1 GiB by
 * default (BENCH_REPLAY_MB=64,1024 to choose) — replays each in a fresh Node process, prints the
 * child's peak RSS (getrusage maxrss) and CPU time against the target (1 GiB < 300 MB RSS), and
 * deletes the files.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childExecArgv } from './_child-argv.js';

const TARGET_RSS_MB = 300;
const RECORD = 16 + 60;

/** A pcap (microseconds, little-endian) of `mb` MiB of 60-byte unicast frames web-01 -> web-02. */
function writePcap(file: string, mb: number): number {
  const records = Math.floor((mb * 1024 * 1024 - 24) / RECORD);
  const fd = openSync(file, 'w');
  try {
    const head = Buffer.alloc(24);
    head.writeUInt32LE(0xa1b2c3d4, 0);
    head.writeUInt16LE(2, 4);
    head.writeUInt16LE(4, 6);
    head.writeUInt32LE(262144, 16);
    head.writeUInt32LE(1, 20);
    writeSync(fd, head);
    const perChunk = 65536;
    const chunk = Buffer.alloc(perChunk * RECORD);
    const frame = Buffer.alloc(60);
    Buffer.from('005056a10002005056a1000188b5', 'hex').copy(frame);
    for (let i = 0; i < perChunk; i++) {
      chunk.writeUInt32LE(60, i * RECORD + 8);
      chunk.writeUInt32LE(60, i * RECORD + 12);
      frame.copy(chunk, i * RECORD + 16);
    }
    let us = 0;
    for (let done = 0; done < records;) {
      const n = Math.min(perChunk, records - done);
      for (let i = 0; i < n; i++, us++) {
        chunk.writeUInt32LE(1_700_000_000 + Math.floor(us / 1e6), i * RECORD);
        chunk.writeUInt32LE(us % 1e6, i * RECORD + 4);
      }
      writeSync(fd, chunk, 0, n * RECORD);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

/** The child: replays the file through the CLI, then prints its peak RSS and CPU time as JSON. */
async function child(file: string): Promise<void> {
  const { main } = await import('../../src/cli.js');
  const log = console.log;
  let out = '';
  console.log = (...a: unknown[]) => void (out += a.join(' '));
  const code = await main(['replay', 'default', file, '--into', 'web-01:eth0', '--json']);
  console.log = log;
  const ru = process.resourceUsage();
  const summary = code === 0 ? (JSON.parse(out) as { injected: number; deliveries: number }) : null;
  log(JSON.stringify({ code, maxRssKiB: ru.maxRSS, cpuS: (ru.userCPUTime + ru.systemCPUTime) / 1e6, injected: summary?.injected, deliveries: summary?.deliveries }));
}

export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_REPLAY_MB ?? '64,256,1024').split(',').map(Number).filter((n) => n > 0);
  const dir = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-bench-replay-'));
  try {
    console.log(`replay of a pcap of 60-byte records, peak RSS of the replaying process (target: 1 GiB file < ${TARGET_RSS_MB} MB)`);
    for (const mb of sizes) {
      const file = path.join(dir, `${mb}.pcap`);
      const records = writePcap(file, mb);
      const c = spawnSync(process.execPath, [...childExecArgv(), fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      rmSync(file, { force: true });
      const line = c.stdout.trim().split('\n').pop() ?? '';
      let r: { code: number; maxRssKiB: number; cpuS: number; injected?: number; deliveries?: number };
      try {
        r = JSON.parse(line) as typeof r;
      } catch {
        console.log(`  ${String(mb).padStart(5)} MiB: the child failed (exit ${c.status}, ${c.signal ?? 'no signal'}): ${c.stderr.slice(-500)}`);
        continue;
      }
      const rssMb = (r.maxRssKiB * 1024) / 1e6;
      const verdict = mb >= 1024 ? (rssMb < TARGET_RSS_MB ? 'meets target' : 'MISSES target') : '';
      console.log(
        `  ${String(mb).padStart(5)} MiB, ${records.toLocaleString('en')} records: exit ${r.code}, injected ${r.injected ?? '-'}, delivered ${r.deliveries ?? '-'}; ` +
          `peak RSS ${rssMb.toFixed(0)} MB, CPU ${r.cpuS.toFixed(1)} s (${((r.cpuS / records) * 1e6).toFixed(2)} µs/record) ${verdict}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--child');
  if (at >= 0) await child(process.argv[at + 1]!);
}
