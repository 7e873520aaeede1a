import { describe, expect, it } from 'vitest';
import { EchoIds } from '../../src/engine/ping.js';

describe('EchoIds: the echo identifiers of one stack (IPv4 and IPv6 share it)', () => {
  it('skips the identifiers running sessions hold and wraps at 16 bits', () => {
    const ids = new EchoIds(0xfffe);
    const running = new Map<number, unknown>([[0xffff, {}], [0, {}]]);
    expect(ids.take(running)).toBe(0xfffe);
    expect(ids.take(running)).toBe(1);
    expect(ids.take(new Map())).toBe(2);
  });
});
