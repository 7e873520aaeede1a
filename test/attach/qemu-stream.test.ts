/**
 * A real QEMU joins the lab through a `stream` attachment (docs/attachments.md): the lab listens
 * on a UNIX socket, `qemu-system-x86_64 -netdev stream,server=off,addr.type=unix,...` with a
 * virtio NIC (no option ROM) connects to it. No guest OS is needed (the firmware finds no disk and waits; a stopped VM would hold its frames
 * back, so the CPU runs): QEMU's `announce_self`
 * monitor command sends RARPs from the NIC's MAC, which enter the lab at outside:eth0; a ping
 * from web-10 makes the lab ARP for 10.0.10.50, and QEMU's own filter-dump records that ARP
 * arriving at its netdev. Read by tshark. QEMU is stopped and its files removed afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tool } from '../capture/capture-tools.js';
import { OUTSIDE_IP, OUTSIDE_MAC, VM_MAC, validAttachTopology } from './attach-lab.js';
import { next } from './events.js';
import { stop } from './netns.js';
import { serveWithAttachments } from './served-lab.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vsl-qemu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stream attachment: a real QEMU -netdev stream', () => {
  it('QEMU connects; its RARPs enter the lab; the lab ARP reaches QEMU (filter-dump)', async () => {
    const sock = path.join(dir, 'lab.sock');
    const dump = path.join(dir, 'qemu.pcap');
    const lab = await serveWithAttachments(validAttachTopology([{ type: 'stream', role: 'server', unix: sock }]));
    let qemu: ChildProcess | undefined;
    try {
      const att = lab.served.attachments;
      const connected = next(att, 'connection', (_n: string, up: boolean) => up);
      qemu = spawn('qemu-system-x86_64', [
        '-machine',
        'q35',
        '-accel',
        'tcg',
        '-nodefaults',
        '-display',
        'none',
        '-monitor',
        'stdio',
        '-netdev',
        `stream,id=n0,server=off,addr.type=unix,addr.path=${sock}`,
        '-device',
        `virtio-net-pci,netdev=n0,mac=${OUTSIDE_MAC},romfile=`,
        '-object',
        `filter-dump,id=f0,netdev=n0,file=${dump}`,
      ], { stdio: ['pipe', 'pipe', 'pipe'] });
      let qout = '';
      qemu.stdout!.on('data', (d: Buffer) => (qout += d.toString()));
      qemu.stderr!.on('data', (d: Buffer) => (qout += d.toString()));
      const exited = new Promise<void>((r) => qemu!.once('exit', () => r()));
      await Promise.race([connected, exited.then(() => Promise.reject(new Error(`qemu exited: ${qout}`)))]);

      // QEMU -> lab: announce_self sends RARPs from the NIC's MAC
      const rarp = next(att, 'rx', (_n: string, f: Uint8Array) => f[12] === 0x80 && f[13] === 0x35);
      qemu.stdin!.write('announce_self\n');
      const [, frame] = await rarp;
      expect(Buffer.from(frame.subarray(6, 12)).toString('hex')).toBe(OUTSIDE_MAC.replaceAll(':', ''));
      expect(lab.lab().counters('outside:eth0').txFrames).toBeGreaterThanOrEqual(1);

      // lab -> QEMU: web-10 ARPs for the QEMU side's address
      const arpOut = next(att, 'tx', (_n: string, f: Uint8Array) => f[12] === 0x08 && f[13] === 0x06);
      lab.server.session.startPing('web-10:eth0', OUTSIDE_IP, { count: 1, timeoutMs: 100 }, () => undefined);
      await arpOut;
      // QEMU has read it once its monitor answers a command issued after it (one event loop)
      const answered = new Promise<void>((r) => {
        const on = (d: Buffer): void => {
          if (d.toString().includes('stream')) {
            qemu!.stdout!.off('data', on);
            r();
          }
        };
        qemu!.stdout!.on('data', on);
      });
      qemu.stdin!.write('info network\n');
      await answered;
      qemu.stdin!.write('quit\n');
      await exited;

      const rows = (await tool('tshark', ['-r', dump, '-T', 'fields', '-e', 'eth.src', '-e', 'eth.dst', '-e', 'arp.opcode', '-e', 'arp.dst.proto_ipv4'])).stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      expect(rows).toContainEqual([VM_MAC, 'ff:ff:ff:ff:ff:ff', '1', OUTSIDE_IP]);
    } finally {
      if (qemu) await stop(qemu);
      await lab.close();
    }
  });
});
