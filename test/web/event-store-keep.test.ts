/**
 * The UI's event store past its limit forgets background events first, never the user's own
 * frames (issue 13 item 7): a ping sent before a flood stays findable.
 */
import { describe, expect, it } from 'vitest';
import { EventStore } from '../../web/src/event-store.js';
import type { TraceEventJson } from '../../web/src/model.js';
import { traceToJson } from '../../src/server/trace-json.js';

let seq = 0;
const ev = (frameId: number): TraceEventJson => traceToJson({ seq: ++seq, time: seq, frameId, copyId: 1, parentCopyId: 0, node: 'x', action: 'deliver', port: 'x:eth0', detail: '' });

describe('EventStore keeps the user’s own frames', () => {
  it('past the limit the oldest background events go, own ones stay, and omitted counts what went', () => {
    const store = new EventStore(100);
    store.markOwn([1]);
    store.add([ev(1), ev(1), ev(2)]);
    for (let i = 0; i < 300; i++) store.add([ev(1000 + i)]);
    expect(store.length).toBeLessThanOrEqual(100);
    expect(store.frameEvents(1)).toHaveLength(2);
    expect(store.frameEvents(2)).toHaveLength(0);
    expect(store.length + store.omitted).toBe(303);
    // order kept, lookups consistent
    const seqs = Array.from({ length: store.length }, (_, i) => store.at(i)!.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const s of seqs) expect(store.at(store.indexOfSeq(s))!.seq).toBe(s);
    expect(store.isOwn(store.at(0)!)).toBe(true);
  });

  it('without own frames the oldest are cut as before (a prefix: positions shift by base)', () => {
    const store = new EventStore(100);
    for (let i = 0; i < 101; i++) store.add([ev(5000 + i)]);
    expect(store.length).toBe(90);
    expect(store.base).toBe(11);
    expect(store.omitted).toBe(11);
  });

  it('markOwn after the events came (a ping’s frames named by the server) counts as a structure change; clear forgets them', () => {
    const store = new EventStore(100);
    store.add([ev(9)]);
    const s0 = store.structure;
    store.markOwn([9]);
    expect(store.structure).toBeGreaterThan(s0);
    expect(store.isOwn(store.at(0)!)).toBe(true);
    store.clear();
    expect(store.ownFrames).toBe(0);
  });
});
