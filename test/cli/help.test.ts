/**
 * Every command's `--help`, and bad options on every command: the help of each command that runs
 * a lab documents the capture options; an unknown option, or one without its value, is exit 2
 * with a message naming it, never a stack trace, and nothing on stdout.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli.js';
import { hasStackTrace, runMain } from './run-cli.js';

const CAPTURING = ['send', 'ping', 'test', 'run', 'replay'];

describe('--help', () => {
  for (const name of Object.keys(commands)) {
    it(`${name} --help: exit 0, its usage on stdout`, async () => {
      for (const flag of ['--help', '-h']) {
        const r = await runMain([name, flag]);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(new RegExp(`^usage: vswitch-lab ${name}\\b`));
        const capture = ['--pcap <file>', '--point <iface>[:<Point>]', '--format <f>', '--capture-filter'];
        if (CAPTURING.includes(name)) { for (const opt of capture) expect(r.stdout, `${name} --help mentions ${opt}`).toContain(opt); }
        else expect(r.stdout).not.toContain('--pcap');
      }
    });
  }

  it('test and run explain scenarios and point at docs/scenarios.md', async () => {
    const test = await runMain(['test', '--help']);
    expect(test.stdout).toContain('then the timed scenarios the\ntopology lists in "scenarios"');
    expect(test.stdout).toContain('docs/scenarios.md');
    const run = await runMain(['run', '--help']);
    expect(run.stdout).toContain('docs/scenarios.md');
    expect(run.stdout).toMatch(/--pcap failover\.pcapng/);
  });

  it('the command list names every command', async () => {
    const r = await runMain(['--help']);
    expect(r.code).toBe(0);
    for (const [name, { summary }] of Object.entries(commands)) {
      expect(summary.length).toBeGreaterThan(10);
      expect(r.stdout).toMatch(new RegExp(`^ {2}${name} +${summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
  });
});

describe('bad options: exit 2, the option named', () => {
  for (const name of Object.keys(commands)) {
    it(`${name} --no-such-option`, async () => {
      const r = await runMain([name, 'default', '--no-such-option']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^vswitch-lab ${name}: .*--no-such-option`));
      expect(hasStackTrace(r.stderr)).toBe(false);
    });
  }

  for (const name of CAPTURING) {
    it(`${name} --pcap without a file`, async () => {
      const r = await runMain([name, 'default', '--pcap']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^vswitch-lab ${name}: option --pcap <value> argument missing`));
      expect(hasStackTrace(r.stderr)).toBe(false);
    });
  }
});
