/**
 * Connects the server to the layers it calls: the topology loader (validation with the same
 * issues as `vswitch-lab validate`) and the engine's `createLab`. The server takes the engine's
 * own `Lab` (src/engine/index.ts): what it may use of the engine is stated there, once.
 */
import { createLab, type Lab } from '../engine/index.js';
import { loadTopologyText, validateTopology } from '../topology/load.js';
import { loadTopologyFile } from '../files/topology-file.js';
import type { TopologyDoc } from '../topology/schema.js';
import { TopologyValidationWorker, type TopologyValidator, type ValidationResult } from './topology-validator.js';

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

/** Builds the lab of a validated topology (the server's labs: the engine's, or one served with attachments). */
export type LabFactory = (topology: TopologyDoc) => Lab;

/** The engine's `createLab`, with history (simulation mode goes back in time); capture timestamps are taken from the wall clock at load. */
export const engineLabFactory: LabFactory = (topology) => createLab(topology, { history: true });
