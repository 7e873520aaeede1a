/**
 * Wire codec throughput: decodeFrame, describe, tag push/pop and the engine-facing accessors on
 * typical frames. Prints frames/s; asserts nothing.
 */
import { buildArp, buildIcmpEcho, buildUdp, decodeFrame, describe, innerEthertype, outerVid, parseArpPacket, parseIpv4Packet, popTag, pushTag } from '../../src/wire/index.js';

const A = '00:50:56:aa:00:21';
const B = '00:50:56:aa:00:22';

function frames(): Array<[string, Uint8Array]> {
  return [
    ['ARP request, VLAN 10', buildArp({ op: 'request', srcMac: A, senderIp: '10.0.10.11', targetIp: '10.0.10.12', vlan: 10 })],
    ['ICMP echo 98 B', buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22' })],
    ['UDP 1472 B payload', buildUdp({ srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22', dstPort: 4789, payload: new Uint8Array(1472) })],
    ['ICMP echo 9000 B, QinQ', buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22', dataSize: 8972, vlan: [100, 10] })],
  ];
}

/** Runs `fn` for about `ms` milliseconds and returns operations per second. */
function rate(fn: () => void, ms = 300): number {
  for (let i = 0; i < 1000; i++) fn(); // warm-up
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

const fmt = (r: number) => `${(r / 1e6).toFixed(2)} M/s`.padStart(11);

export async function run(): Promise<void> {
  let sink = 0;
  console.log(`${'frame'.padEnd(26)}${'decodeFrame'.padStart(12)}${'describe'.padStart(12)}${'push+pop'.padStart(12)}${'accessors'.padStart(12)}`);
  for (const [name, f] of frames()) {
    const decode = rate(() => {
      sink += decodeFrame(f).layers.length;
    });
    const desc = rate(() => {
      sink += describe(f).length;
    });
    const tag = rate(() => {
      sink += popTag(pushTag(f, 20, 1)).length;
    });
    const acc = rate(() => {
      sink += outerVid(f) + innerEthertype(f) + (parseIpv4Packet(f)?.ttl ?? 0) + (parseArpPacket(f)?.op ?? 0);
    });
    console.log(`${name.padEnd(26)} ${fmt(decode)} ${fmt(desc)} ${fmt(tag)} ${fmt(acc)}`);
  }
  if (sink === 42) console.log('');
}
