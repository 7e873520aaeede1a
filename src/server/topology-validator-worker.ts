/**
 * The worker thread of topology-validator.ts: validates one job at a time with the loader
 * (src/topology/load.ts, the same issues as `vswitch-lab validate`) and posts the result back.
 */
import { parentPort } from 'node:worker_threads';
import { loadTopologyText, validateTopology } from '../topology/load.js';
import type { ValidationJob, ValidationReply } from './topology-validator.js';

const port = parentPort;
if (!port) throw new Error('topology-validator-worker runs as a worker thread');

port.on('message', (job: ValidationJob) => {
  let reply: ValidationReply;
  try {
    const result = job.kind === 'text' ? loadTopologyText(job.text, job.fileName) : validateTopology(job.value);
    reply = { id: job.id, result };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
