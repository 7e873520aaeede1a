/**
 * Real Linux network namespaces for the attachment tests: unique names, commands run inside,
 * processes started there whose readiness is an event (a line they print), and removal that
 * always happens (callers use try/finally; `destroy` never throws). Not a test file itself.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; never throws (the caller asserts on the code). */
export function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command that must succeed. */
export async function must(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A name unique to this process and call, at most 15 characters (Linux interface names). */
export function uniqueName(prefix: string): string {
  return `${prefix}${process.pid.toString(36)}${randomBytes(3).toString('hex')}`.slice(0, 15);
}

/** A random /30 in 100.64.0.0/10 (shared address space, never routed here): [network+1, network+2]. */
export function randomPair(): [string, string] {
  const b = randomBytes(3);
  const base = `100.${64 + (b[0]! & 63)}.${b[1]!}`;
  const n = b[2]! & 0xfc;
  return [`${base}.${n + 1}`, `${base}.${n + 2}`];
}

export class Netns {
  private readonly children = new Set<ChildProcess>();
  private constructor(readonly name: string) {}

  static async create(prefix = 'vsl'): Promise<Netns> {
    const ns = new Netns(uniqueName(prefix));
    await must('ip', ['netns', 'add', ns.name]);
    await ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** `ip ...` inside the namespace. */
  ip(...args: string[]): Promise<string> {
    return must('ip', ['-n', this.name, ...args]);
  }

  exec(cmd: string, args: string[]): Promise<Run> {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  /**
   * Starts a process in the namespace and resolves once it prints a line matching `ready` (on
   * stdout or stderr): waiting on the event, not on time. Rejects when it exits first.
   */
  spawnReady(cmd: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    let out = '';
    return new Promise((resolve, reject) => {
      const check = (chunk: Buffer): void => {
        out += chunk.toString();
        if (ready.test(out)) resolve({ child, output: () => out });
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}) before it was ready: ${out}`)));
      child.once('error', reject);
    });
  }

  /** Stops every process started here (SIGINT, then waits for each to exit) and deletes the namespace with its devices. Never throws. */
  async destroy(): Promise<void> {
    await Promise.all([...this.children].map((c) => stop(c)));
    await run('ip', ['netns', 'del', this.name]);
  }
}

/** Sends SIGINT (tcpdump then writes its file) and waits for the exit; SIGKILL if it ignores it. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/** A veth pair: `host` end stays in this (the test's) namespace with `hostIp/30`, `peer` end goes into `ns` with `nsIp/30`. Removed with the namespace. */
export async function vethInto(ns: Netns, hostIp: string, nsIp: string): Promise<{ host: string; peer: string }> {
  const host = uniqueName('vh');
  const peer = uniqueName('vp');
  await must('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
  try {
    await must('ip', ['link', 'set', peer, 'netns', ns.name]);
    await must('ip', ['addr', 'add', `${hostIp}/30`, 'dev', host]);
    await must('ip', ['link', 'set', host, 'up']);
    await ns.ip('addr', 'add', `${nsIp}/30`, 'dev', peer);
    await ns.ip('link', 'set', peer, 'up');
  } catch (err) {
    await run('ip', ['link', 'del', host]);
    throw err;
  }
  return { host, peer };
}
