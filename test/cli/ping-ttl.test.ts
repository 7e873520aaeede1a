/** `vswitch-lab ping -t ttl` (iputils' and vmkping's option): the probes' TTL, on topologies/default.json. */
import { describe, expect, it } from 'vitest';
import { runMain } from './run-cli.js';

describe('vswitch-lab ping -t', () => {
  it('the echo requests leave with the TTL asked for (-v shows it) and the replies still come: no router decrements it', async () => {
    const r = await runMain(['ping', 'default', 'web-01:eth0', '10.0.0.22', '-c', '1', '-t', '5', '-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/echo request to 10\.0\.0\.22 id \d+ seq 1, 56 data bytes, TTL 5, via/);
    expect(r.stdout).toContain('1 packets transmitted, 1 received, 0% packet loss');
  });

  it('a TTL outside 1..255: exit 2 with the option named', async () => {
    for (const t of ['0', '256', 'x']) {
      const r = await runMain(['ping', 'default', 'web-01:eth0', '10.0.0.22', '-t', t]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`-t: "${t}" is not a whole number in 1..255`);
    }
  });
});
