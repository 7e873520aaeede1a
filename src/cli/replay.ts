/**
 * `vswitch-lab replay <topology> <file.pcap|file.pcapng> --into <iface> [--timing original|asap]`:
 * reads a capture (pcap or pcapng, see docs/captures.md), injects each frame at one interface of
 * a fresh lab on its virtual clock, and prints what became of them: deliveries per interface,
 * drops per reason.
 *
 * `--json` prints the ReplaySummary of src/capture/replay.ts:
 *   {"into":"...","timing":"original","packets":N,"notSelected":N,"injected":N,"skipped":{...},
 *    "framesDelivered":N,"framesNotDelivered":N,"deliveries":N,"deliveredTo":{"<iface>":N},
 *    "drops":N,"dropsByReason":{"<CODE>":N},"reactionFrames":N,"virtualNs":N}
 *
 * Exit: 0 replayed; 2 bad topology, option, interface or capture file.
 */
import type { Command } from '../cli.js';
import { CaptureFormatError } from '../capture/capture-format-error.js';
import { formatReplaySummary, replayCaptureFile, scanCapture, type CaptureScan } from '../capture/replay.js';
import type { TopologyDoc } from '../topology/schema.js';
import { createLab } from '../engine/index.js';
import { UsageError, checkInterface, parseCommandArgs, withInputErrors } from './cli-args.js';
import { CAPTURE_OPTIONS, CAPTURE_OPTIONS_HELP, parseCaptureOptions, startCliCapture, withCliCapture } from './capture-options.js';
import { openTopologyArg } from './topology-arg.js';

const USAGE = `usage: vswitch-lab replay <topology> <file.pcap|file.pcapng> --into <node:iface> [options]

Injects every frame of a capture at one interface of the lab (a VM vNIC, vmk or physical host
NIC sends it; at an uplink or physical switch port it arrives from the cable), on the lab's
virtual clock, and prints the deliveries per interface and the drops per reason.
<topology> is a file or the name of an example (default, vlans, teaming, ...).

options:
  --into <node:iface>        where the frames enter, e.g. web-01:eth0, esxi-01:vmnic0, tor-1:eth3
  --timing original|asap     original (default): the gaps of the capture, on the virtual clock;
                             asap: each frame as soon as the lab is idle after the previous one
  --max-gap <seconds>        original timing: a longer gap between two packets is shortened to
                             this (default: the topology's longest timer + 1 s — ARP cache
                             timeout, MAC aging — at most a day); the summary counts them
  --capture-interface <name> only packets of this pcapng interface (its name, as in
                             frame.interface_name, or its index); repeatable. A capture of every
                             point holds each frame several times: pick where it entered.
  --json                     print the summary as JSON
  -h, --help                 this help

${CAPTURE_OPTIONS_HELP}

examples:
  vswitch-lab replay vlans web.pcapng --into web-10:eth0
  vswitch-lab replay vlans lab.pcapng --into web-10:eth0 --capture-interface "web-10:eth0 PortInput" --timing asap
  vswitch-lab replay vlans trunk.pcap --into esxi-01:vmnic0 --pcap out.pcapng --point Drop

exit codes: 0 replayed, 2 bad topology, option, interface or capture file`;

export const REPLAY_OPTIONS = {
  ...CAPTURE_OPTIONS,
  into: { type: 'string' },
  timing: { type: 'string' },
  'max-gap': { type: 'string' },
  'capture-interface': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** --max-gap at most (a day). */
const MAX_GAP_SECONDS = 86_400;

/**
 * The longest gap worth replaying: the topology's longest timer (endpoint ARP cache timeout,
 * physical switch MAC aging, IP reassembly's 30 s) plus a second, at most a day. After an idle
 * gap that long every entry that can age has aged, so a longer one would end in the same state.
 */
export function defaultMaxGapNs(topology: TopologyDoc): number {
  let longest = Math.max(30, topology.defaults?.arpCacheTimeoutSeconds ?? 1200);
  for (const sw of topology.physicalSwitches ?? []) longest = Math.max(longest, sw.macAgingSeconds ?? 0);
  return Math.min(longest + 1, MAX_GAP_SECONDS) * 1e9;
}

export const command: Command = {
  run: (args) =>
    withInputErrors('replay', async () => {
      const { values, positionals } = parseCommandArgs(args, REPLAY_OPTIONS, USAGE);
      if (positionals.length !== 2) throw new UsageError(positionals.length < 2 ? 'give <topology> <capture file>' : `two arguments expected, got ${positionals.length}: ${positionals.join(' ')}`);
      if (values.into === undefined) throw new UsageError('--into <node:iface> is required');
      const timing = (values.timing ?? 'original').toLowerCase();
      if (timing !== 'original' && timing !== 'asap') throw new UsageError(`--timing: "${values.timing}" is not original or asap`);
      let maxGapNs: number | undefined;
      if (values['max-gap'] !== undefined) {
        const sec = Number(values['max-gap']);
        if (values['max-gap'].trim() === '' || !(sec > 0) || sec > MAX_GAP_SECONDS)
          throw new UsageError(`--max-gap: "${values['max-gap']}" is not a number of seconds above 0 and at most ${MAX_GAP_SECONDS}`);
        maxGapNs = Math.round(sec * 1e9);
      }
      const captureOptions = parseCaptureOptions(values);
      const t = await openTopologyArg(positionals[0]!);
      const path = positionals[1]!;
      let file: CaptureScan;
      try {
        file = await scanCapture(path);
      } catch (err) {
        if (err instanceof CaptureFormatError) {
          console.error(`vswitch-lab replay: ${err.message}`);
          return 2;
        }
        const e = err as NodeJS.ErrnoException;
        if (typeof e?.code === 'string') {
          console.error(`vswitch-lab replay: cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
          return 2;
        }
        throw err;
      }
      // no history: the CLI never goes back, and a journal of every injected frame would grow with the file
      for (const w of file.warnings) console.error(`vswitch-lab replay: warning: ${path}: ${w}`);
      const lab = createLab(t.topology, { wallClockStartMs: Date.now(), historyLimitBytes: 0 });
      checkInterface(lab, values.into);
      const picked = values['capture-interface'];
      if ((picked === undefined || picked.length === 0) && file.interfaces.length > 1 && !values.json) {
        // suggest where frames entered: a PortInput/HostTx interface with packets, else any with packets
        const used = file.used.map((i) => file.interfaces[i]?.name ?? String(i));
        const hint = used.find((n) => / (PortInput|HostTx)$/.test(n)) ?? used[0] ?? '0';
        console.error(
          `vswitch-lab replay: note: ${path} has ${file.interfaces.length} capture interfaces; all their packets are replayed ` +
            `(a frame captured at several points enters several times). Pick one with --capture-interface, e.g. "${hint}"`,
        );
      }
      const into = values.into;
      const capture = startCliCapture(lab, captureOptions);
      return withCliCapture(capture, async () => {
        const summary = await replayCaptureFile(
          lab,
          path,
          { into, timing: timing, maxGapNs: maxGapNs ?? defaultMaxGapNs(t.topology), ...(picked !== undefined ? { interfaces: picked } : {}) },
          file,
        );
        if (values.json) console.log(JSON.stringify(summary));
        else console.log(formatReplaySummary(summary).join('\n'));
        return 0;
      });
    }),
};
