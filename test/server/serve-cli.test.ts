import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../src/cli/serve.js';
import { commands } from '../../src/cli.js';

describe('vswitch-lab serve (refusals, before listening)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const quiet = () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    return err;
  };

  it('is registered in the command table', () => {
    expect(Object.keys(commands)).toContain('serve');
  });

  it('binding a non-loopback address without --token is refused with exit 2', async () => {
    const err = quiet();
    expect(await command.run(['--host', '0.0.0.0', '--port', '0'])).toBe(2);
    expect(err.mock.calls.flat().join('\n')).toMatch(/requires --token/);
  });

  it('an invalid topology is refused with exit 2 (as every lab command), listing the errors as validate does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-serve-'));
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{"version": 1, "name": "bad", "hosts": [{"name": "h", "vswitches": [{"name": "vSwitch0", "mtu": 12}]}]}');
    const err = quiet();
    expect(await command.run([file, '--port', '0'])).toBe(2);
    expect(err.mock.calls.flat().join('\n')).toContain(`${file}:1:`);
    expect(err.mock.calls.flat().join('\n')).toMatch(/hosts\[0\]\.vswitches\[0\]\.mtu {2}vSwitch MTU/);
    // a name that is no file and no example lists the examples
    expect(await command.run(['vlan', '--port', '0'])).toBe(2);
    expect(err.mock.calls.flat().join('\n')).toMatch(/vlan: not a file, nor an example \(.*vlans/);
  });

  it('bad options are exit 2', async () => {
    quiet();
    expect(await command.run(['--port', 'x'])).toBe(2);
    expect(await command.run(['--clock', 'warp'])).toBe(2);
    expect(await command.run(['--bogus'])).toBe(2);
    expect(await command.run(['a.json', 'b.json'])).toBe(2);
  });
});

describe('vswitch-lab serve: the token from VSWITCH_LAB_TOKEN (not on the command line, where ps shows it)', () => {
  it('a server started with only the environment variable requires that token', async () => {
    const { spawn } = await import('node:child_process');
    const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../bin/vswitch-lab.js');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env: { ...process.env, VSWITCH_LAB_TOKEN: 'env-token-0123456789' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (c: string) => {
          out += c;
          const m = /serving .* at (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      expect((await fetch(`${url}api/health`)).status).toBe(401);
      expect((await fetch(`${url}api/health`, { headers: { authorization: 'Bearer env-token-0123456789' } })).status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
