// StormWatch (P5) counts: the ring of slots and the map behind it count each frame on its own,
// never restarting a frame in flight, whichever frames share a slot.
import { describe, expect, it } from 'vitest';
import { StormWatch } from '../../src/engine/storm.js';

describe('StormWatch counts per frame', () => {
  it('two frames in flight that share a ring slot are each counted from 1 to the threshold', () => {
    const inFlight = new Set([1, 1 + 2048, 1 + 4096]);
    const w = new StormWatch(5, (fid) => inFlight.has(fid));
    // interleaved: 1 takes the slot, the others go to the map
    const got = new Map<number, number[]>([[1, []], [2049, []], [4097, []]]);
    for (let k = 0; k < 7; k++) for (const fid of got.keys()) got.get(fid)!.push(w.cross(fid));
    for (const [, v] of got) expect(v).toEqual([0, 0, 0, 0, 0, 1, 2]);
    expect(w.cut).toBe(6);
  });

  it('a finished frame gives its slot up; a frame counted in the map stays there after its slot is free', () => {
    const inFlight = new Set([7, 7 + 2048]);
    const w = new StormWatch(3, (fid) => inFlight.has(fid));
    w.cross(7); // slot
    w.cross(7 + 2048); // map: 7 is in flight
    inFlight.delete(7); // 7 is over
    expect(w.cross(7 + 2048)).toBe(0); // 2 crossings, still counted in the map
    expect(w.cross(7 + 2048)).toBe(0); // 3
    expect(w.cross(7 + 2048)).toBe(1); // 4: past the threshold, first
    const fresh = 7 + 4096;
    inFlight.add(fresh);
    expect([w.cross(fresh), w.cross(fresh), w.cross(fresh), w.cross(fresh), w.cross(fresh)]).toEqual([0, 0, 0, 1, 2]); // took the slot of 7, from 1
  });

  it('thousands of frames over: the map is swept and stays small', () => {
    const inFlight = new Set<number>([1]);
    const w = new StormWatch(100, (fid) => inFlight.has(fid));
    // frame 1 holds slot 1 for ever; every frame of that slot goes to the map and is over at once
    for (let k = 1; k <= 20_000; k++) w.cross(1 + 2048 * k);
    expect(w.tracked).toBeLessThan(9000);
  });
});
