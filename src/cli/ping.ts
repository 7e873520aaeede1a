/**
 * `vswitch-lab ping <topology> <iface> <ip> [-c N] [-s size] [-d] [-t ttl] [-v] [--json]`: pings from an
 * endpoint of a fresh lab (vmkping when the interface is a vmk: `-I vmk1` works too) and prints
 * what ping prints. The lab's stacks ARP first, as real ones do; the clock is virtual, so it
 * returns at once. An IPv6 address (or `-6`) pings over ICMPv6 (E4): neighbour discovery first,
 * iputils' `ping -6` / `vmkping -6` wording.
 *
 * `--json` prints `{"from","to","transmitted","received","replies":[{seq,rttNs,ttl,bytes}],
 * "errors":[...],"output":[lines]}`.
 *
 * `--pcap <file>` (with `--point`, `--format`, `--capture-filter`: capture-options.ts) writes the
 * ARP and ICMP exchange as the capture points saw it; the summary line goes to stderr.
 *
 * Exit: 0 replies came; 1 no reply; 2 bad topology, option, address or interface.
 */
import type { Command } from '../cli.js';
import { createLab, isVmkInterface, pingOutput, traceLine, DEFAULT_PING_SIZE, MAX_PING_SIZE, type PingResult } from '../engine/index.js';
import { parseIpv4Cidr, parseIpv6Cidr } from '../wire/index.js';
import { CAPTURE_OPTIONS, CAPTURE_OPTIONS_HELP, parseCaptureOptions, startCliCapture, withCliCapture } from './capture-options.js';
import { UsageError, checkInterface, intOption, parseCommandArgs, withInputErrors } from './cli-args.js';
import { openTopologyArg } from './topology-arg.js';

const USAGE = `usage: vswitch-lab ping <topology> <node:iface> <ip> [options]
       vswitch-lab ping <topology> -I <node:vmkN> <ip> [options]     (vmkping style)

Pings <ip> from an endpoint: a VM vNIC (web-01:eth0), a VMkernel adapter (esxi-01:vmk1: vmkping)
or a physical host NIC (laptop:eth0). ARP, echo requests and replies cross the lab on its virtual
clock. <ip> may be IPv6 (fe80::..., 2001:db8::...): neighbour discovery and ICMPv6 echo, as
ping -6 / vmkping -6. <topology> is a file or the name of an example.

options:
  -c N          probes (default 3)
  -s size       ICMP data bytes (default 56); -d -s 8972 proves a 9000-byte path (E2)
  -d            don't fragment
  -t ttl        IPv4 TTL / IPv6 hop limit of the probes, 1..255 (default 64); the lab has
                no routers, so it never expires on the way
  -6            IPv6 (implied by an IPv6 address; refuses an IPv4 one)
  -I <iface>    the interface, vmkping's way
  -v            print every step of the trace as it happens
  --json        print the result as JSON
  -h, --help    this help

${CAPTURE_OPTIONS_HELP}

examples:
  vswitch-lab ping default web-01:eth0 10.0.0.50
  vswitch-lab ping jumbo -I esxi-01:vmk1 -d -s 8972 10.0.40.50
  vswitch-lab ping -6 default -I esxi-01:vmk0 fe80::250:56ff:fe00:101
  vswitch-lab ping vlans web-10:eth0 10.0.10.50 --pcap ping.pcapng --point esxi-01:vmnic0 --point Drop

exit codes: 0 replies came, 1 no reply, 2 bad topology, option, address or interface`;

const OPTIONS = {
  ...CAPTURE_OPTIONS,
  count: { type: 'string', short: 'c' },
  size: { type: 'string', short: 's' },
  df: { type: 'boolean', short: 'd' },
  ttl: { type: 'string', short: 't' },
  ipv6: { type: 'boolean', short: '6' },
  interface: { type: 'string', short: 'I' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const command: Command = {
  run: (args) =>
    withInputErrors('ping', async () => {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
      const want = values.interface === undefined ? 3 : 2;
      if (positionals.length !== want) {
        throw new UsageError(want === 3 ? 'give <topology> <node:iface> <ip>' : 'with -I give <topology> <ip>');
      }
      const [topologyArg, ...rest] = positionals as [string, ...string[]];
      const from = values.interface ?? rest[0]!;
      const dstIp = rest[rest.length - 1]!;
      const v4 = dstIp.includes('/') || values.ipv6 ? null : parseIpv4Cidr(dstIp);
      const v6 = v4 || dstIp.includes('/') || !dstIp.includes(':') ? null : parseIpv6Cidr(dstIp);
      const dst = v4 ?? v6;
      if (!dst) {
        throw new UsageError(values.ipv6 ? `-6: "${dstIp}" is not an IPv6 address (like fe80::1)` : `"${dstIp}" is not an IPv4 address (like 10.0.0.21) or an IPv6 address (like fe80::1)`);
      }
      const count = values.count === undefined ? 3 : intOption(values.count, '-c', 1, 1000);
      const size = values.size === undefined ? DEFAULT_PING_SIZE : intOption(values.size, '-s', 0, MAX_PING_SIZE);
      const df = values.df ?? false;
      const ttl = values.ttl === undefined ? undefined : intOption(values.ttl, '-t', 1, 255);
      const captureOptions = parseCaptureOptions(values);
      const t = await openTopologyArg(topologyArg);
      const lab = createLab(t.topology, { wallClockStartMs: Date.now() });
      checkInterface(lab, from);
      const capture = startCliCapture(lab, captureOptions);
      return withCliCapture(capture, () => {
        let result: PingResult | undefined;
        const run = () => {
          result = lab.ping(from, dst.text, { count, size, df, ...(ttl !== undefined ? { ttl } : {}) });
        };
        if (values.verbose && !values.json) {
          const off = lab.trace.subscribe((e) => console.log(`  ${(e.time / 1e6).toFixed(3)} ms  ${traceLine(e)}`));
          try {
            run();
          } finally {
            off();
          }
        } else run();
        const r = result!;
        const output = pingOutput(r, { from, dstIp: dst.text, size, vmkping: isVmkInterface(from), ipv6: v6 !== null });
        if (values.json) console.log(JSON.stringify({ from, to: dst.text, transmitted: r.transmitted, received: r.received, replies: r.replies, errors: r.errors, output }));
        else console.log(output.join('\n'));
        return r.received > 0 ? 0 : 1;
      });
    }),
};
