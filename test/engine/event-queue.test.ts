import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../../src/engine/event-queue.js';

describe('event queue (virtual clock)', () => {
  it('pops events in (time, insertion sequence) order, whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 300 }), (ops) => {
        const q = new EventQueue(2);
        const model: { time: number; seq: number }[] = [];
        let seq = 0;
        for (const op of ops) {
          if (op >= 0) {
            q.push(op, 0, 0, seq, 0, 0, null);
            model.push({ time: op, seq: seq++ });
          } else {
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = model.shift();
            const slot = q.pop();
            if (want === undefined) expect(slot).toBe(-1);
            else {
              expect([q.timeOf(slot), q.frameIdOf(slot)]).toEqual([want.time, want.seq]);
              q.release(slot);
            }
          }
          expect(q.size).toBe(model.length);
        }
        model.sort((a, b) => a.time - b.time || a.seq - b.seq);
        for (const want of model) {
          expect(q.peekTime()).toBe(want.time);
          const slot = q.pop();
          expect([q.timeOf(slot), q.frameIdOf(slot)]).toEqual([want.time, want.seq]);
          q.release(slot);
        }
        expect(q.pop()).toBe(-1);
        expect(q.peekTime()).toBe(Infinity);
      }),
      { numRuns: 500 },
    );
  });
});
