/**
 * Two network namespaces joined by a veth pair named eth0 at both ends, for tests that take the
 * real iputils ping as their oracle (E1, E4). `create` makes them (each address with its prefix;
 * lo up, as the kernel reports unreachable probes through it), `remove` deletes them whatever
 * state they are in: call it from afterAll, which runs also when beforeAll failed halfway.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export function sh(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

export async function must(cmd: string, args: string[]): Promise<void> {
  const r = await sh(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Times masked: `time=0.043 ms`, `time 2039ms`, the rtt statistics (the kernel's clock against the virtual one). */
export function masked(lines: string[]): string[] {
  return lines.map((l) => l.replace(/time=[\d.]+ ms/, 'time=T ms').replace(/time \d+ms/, 'time Tms').replace(/^rtt min\/avg\/max\/mdev = [\d./]+ ms/, 'rtt min/avg/max/mdev = T ms'));
}

export class NamespacePair {
  readonly a: string;
  readonly b: string;

  /** `prefix`: a short name part (namespace names must be unique per test file and run). */
  constructor(prefix: string) {
    const tag = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
    this.a = `${prefix}-a-${tag}`;
    this.b = `${prefix}-b-${tag}`;
  }

  /** `addrA`, `addrB`: `address/prefix` for each eth0; `addrArgs`: more `ip addr add` words (e.g. `nodad`). */
  async create(addrA: string, addrB: string, addrArgs: string[] = []): Promise<void> {
    await must('ip', ['netns', 'add', this.a]);
    await must('ip', ['netns', 'add', this.b]);
    await must('ip', ['link', 'add', 'eth0', 'netns', this.a, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.b]);
    for (const [ns, ip] of [[this.a, addrA], [this.b, addrB]] as const) {
      await must('ip', ['-n', ns, 'addr', 'add', ip, 'dev', 'eth0', ...addrArgs]);
      await must('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  }

  async remove(): Promise<void> {
    await sh('ip', ['netns', 'del', this.a]);
    await sh('ip', ['netns', 'del', this.b]);
  }
}
