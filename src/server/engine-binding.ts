/**
 * Connects the server to the layers it calls: the topology loader (validation with the same
 * issues as `vswitch-lab validate`), the engine's Lab, and the FrameSpec resolver. The types in
 * lab-contract.ts state what the server needs; the real implementations are plugged in here.
 */
import { createLab, resolveFrameSpec } from '../engine/index.js';
import { loadTopologyFile, loadTopologyText, validateTopology } from '../topology/load.js';
import type { FrameResolver, LabFactory, TopologyValidator, ValidationResult } from './lab-contract.js';
import { TopologyValidationWorker } from './topology-validator.js';

// --- topology validation ----------------------------------------------------------------------

/** One validation worker for the process, started on first use (it never keeps the process alive). */
let offThread: TopologyValidationWorker | undefined;
const validationWorker = (): TopologyValidationWorker => (offThread ??= new TopologyValidationWorker());

/** src/topology/load.ts: the same checks (and issues) as `vswitch-lab validate`; uploads off the event loop. */
export const topologyValidator: TopologyValidator = {
  validate: (value) => validateTopology(value),
  validateText: (text, fileName) => loadTopologyText(text, fileName),
  validateOffThread: (value) => validationWorker().validate(value),
  validateTextOffThread: (text, fileName) => validationWorker().validateText(text, fileName),
  validateBodyOffThread: (json) => validationWorker().validateBody(json),
};

export async function validateFile(path: string): Promise<ValidationResult> {
  return loadTopologyFile(path);
}

// --- engine ---------------------------------------------------------------------------------

/** The engine's `createLab`, with history (simulation mode goes back in time); capture timestamps are taken from the wall clock at load. */
export const engineLabFactory: LabFactory = (topology) => createLab(topology, { history: true });

// --- frames -----------------------------------------------------------------------------------

/** src/engine/frame-spec.ts: FrameSpec -> bytes, defaults from the sending interface. */
export const engineFrameResolver: FrameResolver = (lab, iface, spec) => resolveFrameSpec(lab, iface, spec);
