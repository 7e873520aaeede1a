/**
 * The JSON of a trace event carries its virtual time exactly (issue 18 item 7): `timeNs`, a decimal
 * string of ns since the lab started, is exact at any virtual time (past 2^53 ns too, after the
 * clock's base moved); `time` is the same as a number (exact below 2^53 ns).
 */
import { describe, expect, it } from 'vitest';
import { createLab, type TraceEvent } from '../../src/engine/index.js';
import { traceToJson } from '../../src/server/trace-json.js';
import { buildEthernet } from '../../src/wire/index.js';
import { A, B, vstLab } from '../capture/capture-lab.js';

const DAY_NS = 86_400_000_000_000;

function sendThree(rebaseAtNs?: number, daysFirst = 0): { events: TraceEvent[]; sentAt: bigint[] } {
  const lab = createLab(vstLab(), rebaseAtNs === undefined ? {} : { rebaseAtNs });
  for (let d = 0; d < daysFirst; d++) lab.run({ forNs: DAY_NS });
  lab.run({ forNs: 1 }); // odd from here on
  const events: TraceEvent[] = [];
  lab.trace.subscribe((e) => void (e.action === 'deliver' && events.push({ ...e })));
  const frame = buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) });
  const sentAt: bigint[] = [];
  for (let i = 0; i < 3; i++) {
    sentAt.push(lab.nowNs());
    lab.inject('web-a:eth0', frame);
    lab.run({ forNs: 1 });
  }
  lab.run();
  return { events, sentAt };
}

describe('trace events as JSON: time and timeNs', () => {
  it('before any rebase: timeNs is time as a decimal string', () => {
    const { events, sentAt } = sendThree();
    const json = events.map((e) => traceToJson(e));
    expect(json.map((j) => j.timeNs)).toEqual(sentAt.map(String));
    expect(json.map((j) => j.time)).toEqual(sentAt.map(Number));
  });

  it('past 2^53 ns (110 days): timeNs keeps every nanosecond, time is the nearest double', () => {
    const { events, sentAt } = sendThree(undefined, 110);
    expect(sentAt[0]).toBe(110n * BigInt(DAY_NS) + 1n);
    const json = events.map((e) => traceToJson(e));
    expect(json.map((j) => j.timeNs)).toEqual(sentAt.map(String));
    expect(json.map((j) => j.time)).toEqual(sentAt.map(Number));
    expect(BigInt(Number(sentAt[0]!))).not.toBe(sentAt[0]); // a double cannot hold an odd ns there
  });

  it('a lab rebased every second gives the JSON a lab never rebased gives', () => {
    const plain = sendThree(undefined, 2).events.map((e) => traceToJson(e));
    const rebased = sendThree(1_000_000_000, 2).events.map((e) => traceToJson(e));
    expect(rebased).toEqual(plain);
  });
});
