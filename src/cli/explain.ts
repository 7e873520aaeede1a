/**
 * `vswitch-lab explain <topology> --from <iface> <frame options> [--json]`: the decision list of
 * one frame (O2, like Open vSwitch's ofproto/trace): every step, the rule that decided it, and
 * where each copy ends. A dry run on a fresh lab: nothing is learned, counted or answered.
 *
 * `--json` prints what POST /api/explain answers (src/server/trace-json.ts explainToJson) after
 * `"sent":{from,frame (hex),summary}`: `"steps":[{seq,time,frameId,copyId,parentCopyId,node,port,
 * action,rule?,reason?,vlan?,point?,frameHex?,frameLength?,detail}]` (the bytes as every trace
 * event the API sends them; a hex `frame` before), `"copies":[{at,vlanStack,delivered,reason?,
 * rule?}]`, `"truncated"`, `"storm"?` and `"tree":[{copyId,parentCopyId,at,vlanStack,steps:[index
 * into steps],children:[...]}]`. The text output is that tree, indented per copy like ofproto/trace.
 *
 * Exit: 0 explained; 1 the frame would storm (P5: a loop between physical switches; `storm` in
 * the JSON says where it passed the threshold); 2 bad topology, option, frame or interface.
 */
import type { Command } from '../cli.js';
import { explainLines } from '../engine/index.js';
import { explainToJson } from '../server/trace-json.js';
import { describe, toHex } from '../wire/index.js';
import { parseCommandArgs, withInputErrors } from './cli-args.js';
import { startFrameCommand } from './frame-command.js';
import { FRAME_OPTIONS, FRAME_OPTIONS_HELP, normalizeFrameArgs } from './frame-options.js';

const USAGE = `usage: vswitch-lab explain <topology> --from <node:iface> <frame> [--json]

Shows, step by step, what the lab would do with one frame: VLAN classification, security checks,
MAC lookups, uplink choice, tag pushes and pops, physical switch learning and flooding, and where
each copy is delivered or dropped, each step with its rule ID (docs/vss-behaviour.md). A dry run:
nothing changes. <topology> is a file or the name of an example.

options:
  --from <node:iface>       where the frame enters, e.g. web-01:eth0
  --json                    print the steps and copies as JSON
  -h, --help                this help

${FRAME_OPTIONS_HELP}

example:
  vswitch-lab explain vlans --from web-10:eth0 --icmp-echo 10.0.20.21

exit codes: 0 explained, 1 storm (a loop between physical switches), 2 bad topology, option,
            frame or interface`;

const OPTIONS = {
  ...FRAME_OPTIONS,
  from: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const command: Command = {
  run: (args) =>
    withInputErrors('explain', async () => {
      const { values, positionals } = parseCommandArgs(normalizeFrameArgs(args), OPTIONS, USAGE);
      const { lab, from, frame } = await startFrameCommand(positionals, values);
      const result = lab.explain(from, frame);
      const sent = { from, frame: toHex(frame), summary: describe(frame) };
      if (values.json) {
        console.log(JSON.stringify({ sent, ...explainToJson(result) }));
        return result.storm ? 1 : 0;
      }
      console.log(`explain: ${sent.summary}`);
      console.log(`  from ${sent.from}, ${frame.length} bytes (dry run: nothing is learned, counted or answered)`);
      for (const l of explainLines(result)) console.log(l);
      return result.storm ? 1 : 0;
    }),
};
