/**
 * `vswitch-lab serve` with attachments (docs/attachments.md): refused with exit 2 and the reason
 * when the clock would not run in real time or a socket does not bind (before the server starts);
 * a topology loaded later through the API with other attachments is refused (the API never opens
 * sockets), with the same ones it is taken.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../src/cli/serve.js';
import { attachTopology, validAttachTopology } from './attach-lab.js';
import { serveWithAttachments } from './served-lab.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vsl-serve-att-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const port = 25000 + (process.pid % 20000);
const vx = { type: 'vxlan', local: { address: '127.0.0.1', port }, remote: { address: '127.0.0.1', port: port + 1 }, vni: 7 } as const;

function quiet(): ReturnType<typeof vi.spyOn> {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
  return err;
}

describe('vswitch-lab serve with attachments', () => {
  it('--clock paused is refused with exit 2, saying why', async () => {
    const file = path.join(dir, 'att.json');
    writeFileSync(file, JSON.stringify(attachTopology([vx])));
    const err = quiet();
    expect(await command.run([file, '--port', '0', '--clock', 'paused'])).toBe(2);
    expect(err.mock.calls.flat().join('\n')).toMatch(/--clock paused refused: .*live attachments.*real time/);
  });

  it('a VXLAN port in use is exit 2, naming the port and the usual VXLAN ports', async () => {
    const file = path.join(dir, 'busy.json');
    writeFileSync(file, JSON.stringify(attachTopology([vx])));
    const busy = dgram.createSocket('udp4');
    await new Promise<void>((r) => busy.bind(port, '127.0.0.1', r));
    try {
      const err = quiet();
      expect(await command.run([file, '--port', '0'])).toBe(2);
      expect(err.mock.calls.flat().join('\n')).toMatch(new RegExp(`attachments\\.att0: cannot bind UDP 127\\.0\\.0\\.1:${port}.*in use.*8472.*14789`));
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });

  it('POST a topology with other attachments: 422, the lab stays; with the same ones: loaded', { timeout: 120_000 }, async () => {
    const lab = await serveWithAttachments(validAttachTopology([vx]));
    try {
      const put = (t: unknown): Promise<Response> =>
        fetch(new URL('/api/topology', lab.server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topology: t }) });
      const other = await put(attachTopology([{ ...vx, vni: 8 }]));
      expect(other.status).toBe(422);
      expect(JSON.stringify(await other.json())).toMatch(/attachments differ from those the server opened/);
      const same = await put(attachTopology([vx]));
      expect(same.status).toBe(200);
    } finally {
      await lab.close();
    }
  });
});
