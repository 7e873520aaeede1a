/**
 * A partitioned lab as separate processes, the way a user runs it (docs/attachments.md):
 * `vswitch-lab plan topologies/multi-host.json --group ...` writes the plan, then three
 * `vswitch-lab serve topologies/multi-host.json --plan plan.json --partition NAME` processes run
 * core-1 with client-10, esxi-01 and esxi-02, joined by VXLAN on loopback. A ping from app-01
 * (esxi-01's process) to app-02 (esxi-02's) over the HTTP API gets its replies; a partition the
 * plan does not have is exit 2. Every process is stopped afterwards, also on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, stop } from './netns.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vsl-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = ['--import', 'tsx', 'src/cli.ts'];

/** Starts `serve` and resolves with its URL once it prints it (an event, not a delay). */
function serve(args: string[], children: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, [...cli, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (d: Buffer): void => {
      out += d.toString();
      const m = /serving .* at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
}

describe('partitioned lab as processes', () => {
  it('plan, then three serve processes: a VM pings a VM of another process', { timeout: 240_000 }, async () => {
    const plan = path.join(dir, 'plan.json');
    const port = 33000 + (process.pid % 10000) * 3;
    const p = await run(process.execPath, [...cli, 'plan', 'multi-host', '--group', 'net=core-1,client-10', '--group', 'h1=esxi-01', '--group', 'h2=esxi-02', '--port', String(port), '-o', plan]);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/3 partitions, 4 cut cables/);

    const silent = await run(process.execPath, [...cli, 'plan', 'multi-host', '--partitions', '3', '--silence', '0']);
    expect(silent.code).toBe(2);
    expect(silent.stderr).toMatch(/--silence is 0\.1 to 3600 seconds \(got "0"\)/);

    const bad = await run(process.execPath, [...cli, 'serve', 'multi-host', '--plan', plan, '--partition', 'h9', '--port', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no partition "h9" in the plan \(net, h1, h2\)/);

    const children: ChildProcess[] = [];
    try {
      const urls = await Promise.all(['net', 'h1', 'h2'].map((name) => serve(['multi-host', '--plan', plan, '--partition', name, '--port', '0'], children)));
      const res = await fetch(new URL('/api/ping', urls[1]), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'app-01:eth0', to: '10.0.10.22', count: 2, intervalMs: 10 }),
      });
      expect(res.status).toBe(200);
      const r = (await res.json()) as { received: number; transmitted: number };
      expect(r).toMatchObject({ transmitted: 2, received: 2 });
      // the partition says which it is; frames of h1 (the second partition) are numbered from 2e12 + 1
      const part = (await (await fetch(new URL('/api/partition', urls[1]))).json()) as { name: string; firstFrameId: number };
      expect(part).toMatchObject({ name: 'h1', firstFrameId: 2e12 + 1 });
    } finally {
      await Promise.all(children.map((c) => stop(c)));
    }
  });
});
