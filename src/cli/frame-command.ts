/**
 * The prologue the one-frame commands (`send`, `explain`) share: exactly one topology argument,
 * `--from` given and an interface of the lab, the frame options turned into bytes there. Every
 * mistake throws what withInputErrors reports as bad input (exit 2), before anything runs.
 */
import { createLab, resolveFrameSpec, type Lab, type LabOptions } from '../engine/index.js';
import { UsageError, checkInterface } from './cli-args.js';
import { frameErrorForCli, frameSpecFromOptions, type FrameOptionValues } from './frame-options.js';
import { openTopologyArg } from './topology-arg.js';

export interface FrameCommandStart {
  lab: Lab;
  /** the interface the frame enters at (`--from`) */
  from: string;
  frame: Uint8Array;
}

/** Checks the arguments, loads the topology into a fresh lab and builds the frame at `--from`. */
export async function startFrameCommand(positionals: string[], values: FrameOptionValues & { from?: string }, labOptions: LabOptions = {}): Promise<FrameCommandStart> {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no topology given' : `one topology, got ${positionals.length} arguments: ${positionals.join(' ')}`);
  const from = values.from;
  if (from === undefined) throw new UsageError('--from <node:iface> is required');
  const spec = frameSpecFromOptions(values);
  const t = await openTopologyArg(positionals[0]!);
  const lab = createLab(t.topology, labOptions);
  checkInterface(lab, from);
  try {
    return { lab, from, frame: resolveFrameSpec(lab, from, spec) };
  } catch (err) {
    throw frameErrorForCli(err);
  }
}
