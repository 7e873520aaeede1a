import { afterAll, describe, expect, it } from 'vitest';
import { PCAP_LOSSY, PcapWriter, openPcapFile } from '../../src/capture/pcap-writer.js';
import { readCapture } from '../../src/capture/read-capture.js';
import { ethFrame, memorySink, tempDir, tool, tsharkFields } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const frame = ethFrame('00:50:56:aa:00:01', '00:50:56:aa:00:02', 0x0800, [0x45, 0, 0, 20]);
const big = ethFrame('00:50:56:aa:00:01', '00:50:56:aa:00:02', 0x0800, new Uint8Array(1500 - 14));

describe('PcapWriter', () => {
  it('writes a little-endian 2.4 header: microsecond magic by default, linktype 1, snaplen 262144', () => {
    const m = memorySink();
    new PcapWriter({ sink: m.sink });
    expect(m.bytes().toString('hex')).toBe('d4c3b2a1' + '02000400' + '00000000' + '00000000' + '00000400' + '01000000');
  });

  it('writes the nanosecond magic a1b23c4d for resolution ns', () => {
    const m = memorySink();
    new PcapWriter({ sink: m.sink, resolution: 'ns' });
    expect(m.bytes().readUInt32LE(0)).toBe(0xa1b23c4d);
  });

  it('says what it cannot carry, and merges all interfaces into one', async () => {
    const m = memorySink();
    const w = new PcapWriter({ sink: m.sink, resolution: 'ns' });
    expect(w.lossy).toEqual(['comments', 'direction', 'packetId', 'interfaces', 'dropCount']);
    expect(PCAP_LOSSY).toBe(w.lossy);
    w.writePacket({ interface: 0, timestampNs: 10n, data: frame, comment: 'lost', direction: 'inbound', packetId: 1 });
    w.writePacket({ interface: 3, timestampNs: 20n, data: frame });
    expect(m.chunks).toHaveLength(3); // header + one chunk per packet
    const f = await readCapture(m.bytes());
    expect(f.interfaces).toHaveLength(1);
    expect(f.packets.map((p) => [p.interface, p.timestampNs, p.comment, p.direction, p.packetId])).toEqual([
      [0, 10n, undefined, undefined, undefined],
      [0, 20n, undefined, undefined, undefined],
    ]);
  });

  it('cuts packets to the snap length, keeping the original length', async () => {
    const m = memorySink();
    const w = new PcapWriter({ sink: m.sink, snapLen: 64 });
    w.writePacket({ interface: 0, timestampNs: 0n, data: big });
    const f = await readCapture(m.bytes());
    expect(f.interfaces[0]!.snapLen).toBe(64);
    expect([f.packets[0]!.data.length, f.packets[0]!.originalLength]).toEqual([64, 1500]);
  });

  it('rejects timestamps classic pcap cannot hold', () => {
    const w = new PcapWriter({ sink: () => {} });
    expect(() => w.writePacket({ interface: 0, timestampNs: -1n, data: frame })).toThrow(/negative/);
    expect(() => w.writePacket({ interface: 0, timestampNs: 2n ** 32n * 1_000_000_000n, data: frame })).toThrow(/2106/);
  });

  for (
    const [resolution, precision, epoch] of [
      ['us', 'microseconds (6)', ['1700000000.123456000', '1700000003.999999000']],
      ['ns', 'nanoseconds (9)', ['1700000000.123456789', '1700000003.999999999']],
    ] as const
  ) {
    it(`capinfos and tshark read a ${resolution} pcap cleanly with the right timestamps`, async () => {
      const file = tmp.file(`out-${resolution}.pcap`);
      const w = openPcapFile(file, { resolution });
      w.writePacket({ interface: 0, timestampNs: 1_700_000_000_123_456_789n, data: frame });
      w.writePacket({ interface: 1, timestampNs: 1_700_000_003_999_999_999n, data: big });
      w.close();
      const info = await tool('capinfos', [file]);
      expect(info.stderr).toBe('');
      expect(info.code).toBe(0);
      expect(info.stdout).toMatch(/File type:\s+Wireshark\/tcpdump\/\.\.\. - (nanosecond )?pcap/);
      expect(info.stdout).toContain(`File timestamp precision:  ${precision}`);
      expect(info.stdout).toMatch(/Packet size limit:\s+file hdr: 262144 bytes/);
      const rows = await tsharkFields(file, ['frame.time_epoch', 'frame.len', 'eth.src']);
      expect(rows).toEqual([
        [epoch[0], '60', '00:50:56:aa:00:02'],
        [epoch[1], '1500', '00:50:56:aa:00:02'],
      ]);
    });
  }
});
