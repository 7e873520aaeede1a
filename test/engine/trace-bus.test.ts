// The live stream's TraceBus calls its only listener directly (the server's case); the order of
// calls stays that of iterating a Set of listeners, also when a listener subscribes or removes
// listeners during a call: a listener added during a publish sees that event, one removed before
// its turn does not, one added twice is called once.
import { describe, expect, it } from 'vitest';
import { TraceBus, type TraceEvent, type TraceListener } from '../../src/engine/trace.js';

const ev = (seq: number): TraceEvent => ({ seq, time: 0, frameId: 1, copyId: 1, parentCopyId: 0, node: 'n', port: 'n:p', action: 'ingress', detail: '' });

describe('trace bus', () => {
  it('one listener, listeners added and removed during a call: the calls a Set of listeners gives', () => {
    const bus = new TraceBus();
    const calls: string[] = [];
    const offs = new Map<string, () => void>();
    const sub = (name: string, l: TraceListener) => offs.set(name, bus.subscribe(l));
    let readded = false;
    const c: TraceListener = (e) => calls.push(`c${e.seq}`);
    const b: TraceListener = (e) => {
      calls.push(`b${e.seq}`);
      if (e.seq === 2) sub('c', c);
    };
    const a: TraceListener = (e) => {
      calls.push(`a${e.seq}`);
      if (e.seq === 1) sub('b', b);
      if (e.seq === 3) offs.get('b')!();
      if (e.seq === 4 && !readded) {
        readded = true;
        offs.get('a')!();
        sub('a', a);
      }
    };
    sub('a', a);
    bus.subscribe(a); // twice: still one call per event
    expect(bus.active).toBe(true);
    for (let s = 1; s <= 5; s++) bus.publish(ev(s));
    expect(calls).toEqual([
      'a1',
      'b1', // b added during a's call sees event 1
      'a2',
      'b2',
      'c2', // c added during b's call sees event 2
      'a3',
      'c3', // b removed before its turn
      'a4',
      'c4',
      'a4', // a removed and added again during its call: after c, once more
      'c5',
      'a5',
    ]);
    offs.get('a')!();
    offs.get('c')!();
    expect(bus.active).toBe(false);
    bus.publish(ev(6));
    expect(calls).toHaveLength(12);
  });
});
