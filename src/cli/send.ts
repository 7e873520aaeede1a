/**
 * `vswitch-lab send <topology> --from <iface> <frame options> [--count N] [--json]`: injects a
 * frame at an interface of a fresh lab, runs the virtual clock until idle, and prints where the
 * copies of that frame were delivered and where (and why) they were dropped. Answers the
 * endpoints send back (an ARP reply, an echo reply) are not listed: use `ping` for exchanges.
 *
 * `--json` prints (scripts depend on these fields; more may be added, none removed):
 *   {"deliveries":[{"to":"<iface>","frame":"<hex as received>","summary":"...","vlan":10|"untagged","rule":"F2"}],
 *    "drops":[{"at":"<node:port>","reason":"<CODE>","rule":"<ID>","detail":"..."}],
 *    "sent":{"from":"<iface>","frame":"<hex>","summary":"...","count":1},
 *    "storm":{"frameId":1,"at":"<node:port>","threshold":N,"cut":N}}   (only when the frame stormed, P5)
 * `to` is the endpoint interface that received the copy (VM vNIC, vmk or physical host NIC).
 *
 * `--pcap <file>` (with `--point`, `--format`, `--capture-filter`: capture-options.ts) writes what
 * the capture points saw, every frame of the run (answers included); the summary line goes to
 * stderr.
 *
 * Exit: 0 the frame ran (whatever happened to it); 1 it stormed (P5: a loop between physical
 * switches; the copies past the threshold were cut, the rest is listed as usual); 2 bad
 * topology, option, frame or interface.
 */
import type { Command } from '../cli.js';
import { stormLine, sendAndObserve } from '../engine/index.js';
import { describe, toHex } from '../wire/index.js';
import { CAPTURE_OPTIONS, CAPTURE_OPTIONS_HELP, parseCaptureOptions, startCliCapture, withCliCapture } from './capture-options.js';
import { intOption, parseCommandArgs, withInputErrors } from './cli-args.js';
import { startFrameCommand } from './frame-command.js';
import { FRAME_OPTIONS, FRAME_OPTIONS_HELP, normalizeFrameArgs } from './frame-options.js';

const USAGE = `usage: vswitch-lab send <topology> --from <node:iface> <frame> [options]

Injects one frame at an interface (a VM vNIC, vmk or physical host NIC sends it; at an uplink or
a physical switch port it arrives from the cable), runs the lab until idle and prints every
delivery and drop of that frame with the rule that decided it.
<topology> is a file or the name of an example (default, vlans, teaming, ...).

options:
  --from <node:iface>       where the frame enters, e.g. web-01:eth0, esxi-01:vmk0, laptop:eth0
  --count N                 send it N times (default 1)
  --json                    print {"deliveries":[...],"drops":[...],"sent":{...}}
  -h, --help                this help

${FRAME_OPTIONS_HELP}

${CAPTURE_OPTIONS_HELP}

examples:
  vswitch-lab send default --from web-01:eth0 --arp-request 10.0.0.22
  vswitch-lab send security --from nested-esxi-locked:eth0 --src 00:50:56:b2:00:01 --icmp-echo 10.0.0.50
  vswitch-lab send vlans --from web-10:eth0 --arp-request 10.0.10.50 --pcap arp.pcapng --point esxi-01:vmnic0,Drop

exit codes: 0 sent, 1 storm (a loop between physical switches: the frame's copies were cut),
            2 bad topology, option, frame or interface`;

export const SEND_OPTIONS = {
  ...FRAME_OPTIONS,
  ...CAPTURE_OPTIONS,
  from: { type: 'string' },
  count: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The summary without the `VLAN n` its column already shows (`VLAN 10 · ARP ...` -> `ARP ...`; a PCP stays). */
function withoutVlan(summary: string, vlan: number | 'untagged'): string {
  if (vlan === 'untagged') return summary;
  const m = new RegExp(`^VLAN ${vlan}(?: (PCP \\d))? · `).exec(summary);
  return m === null ? summary : `${m[1] !== undefined ? `${m[1]} · ` : ''}${summary.slice(m[0].length)}`;
}

export const command: Command = {
  run: (args) =>
    withInputErrors('send', async () => {
      const { values, positionals } = parseCommandArgs(normalizeFrameArgs(args), SEND_OPTIONS, USAGE);
      const count = values.count === undefined ? 1 : intOption(values.count, '--count', 1, 1000);
      const captureOptions = parseCaptureOptions(values);
      const { lab, from, frame } = await startFrameCommand(positionals, values, { wallClockStartMs: Date.now() });
      const capture = startCliCapture(lab, captureOptions);
      return withCliCapture(capture, () => {
        const obs = sendAndObserve(lab, from, frame, count);
        const sent = { from, frame: toHex(frame), summary: describe(frame), count };
        const storms = lab.storms();
        const storm = storms.reports[0];
        if (values.json) {
          console.log(
            JSON.stringify({
              deliveries: obs.deliveries.map((d) => ({ to: d.to, frame: d.frame, summary: d.summary, vlan: d.vlan, rule: d.rule })),
              drops: obs.drops.map((d) => ({ at: d.at, reason: d.reason, rule: d.rule, detail: d.detail })),
              sent,
              ...(storm ? { storm: { frameId: storm.frameId, at: storm.at, threshold: storm.threshold, cut: storms.cut } } : {}),
            }),
          );
          return storm ? 1 : 0;
        }
        console.log(`sent from ${sent.from}${count > 1 ? ` ×${count}` : ''} (${frame.length} bytes): ${sent.summary}`);
        const w = Math.max(0, ...obs.deliveries.map((d) => d.to.length), ...obs.drops.map((d) => d.at.length));
        for (const d of obs.deliveries) {
          console.log(`  delivered  ${d.to.padEnd(w)}  [${d.rule}]  ${d.vlan === 'untagged' ? 'untagged' : `VLAN ${d.vlan}`}  ${withoutVlan(d.summary, d.vlan)}`);
        }
        for (const d of obs.drops) console.log(`  dropped    ${d.at.padEnd(w)}  [${d.rule}]  ${d.reason}: ${d.detail.replace(/^dropped \S+ \(\S+\): /, '')}`);
        console.log(`${obs.deliveries.length} delivered, ${obs.drops.length} dropped`);
        if (storm) {
          console.log(stormLine(storm, storms.cut));
          return 1;
        }
        return 0;
      });
    }),
};
