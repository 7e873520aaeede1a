/**
 * The worker thread of topology-validator.ts: validates one job at a time with the loader
 * (src/topology/load.ts, the same issues as `vswitch-lab validate`) and posts the result back.
 * A route's raw body is decoded and parsed here too (JSON.parse of 5 MB is 200-400 ms), and read as one of
 * its forms; only the result crosses back (errors capped at 1,000 by the loader).
 */
import { parentPort } from 'node:worker_threads';
import { loadTopologyText, validateTopology } from '../topology/load.js';
import { ApiError } from './errors.js';
import { parseJson, utf8Text } from './json-body.js';
import { parseLoadBody } from './topology-body.js';
import type { BodyValidation, ValidationJob, ValidationReply } from './topology-validator.js';

const port = parentPort;
if (!port) throw new Error('topology-validator-worker runs as a worker thread');

function validateBody(json: Uint8Array): BodyValidation {
  const b = parseLoadBody(parseJson(utf8Text(json)));
  if ('topology' in b) return { form: 'topology', result: validateTopology(b.topology) };
  if ('text' in b) {
    const result = loadTopologyText(b.text, b.fileName);
    return b.fileName === undefined ? { form: 'text', result } : { form: 'text', fileName: b.fileName, result };
  }
  return { form: 'example', name: b.example };
}

port.on('message', (job: ValidationJob) => {
  let reply: ValidationReply;
  try {
    if (job.kind === 'body') reply = { id: job.id, body: validateBody(job.json) };
    else reply = { id: job.id, result: job.kind === 'text' ? loadTopologyText(job.text, job.fileName) : validateTopology(job.value) };
  } catch (err) {
    reply = err instanceof ApiError
      ? { id: job.id, refused: { status: err.status, message: err.message, details: err.details } }
      : { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  // A valid topology comes back whole for the lab to load: its structured clone here is the cost
  // left on the event loop (a valid 5 MB topology is rare; invalid ones send back <= 1,000 issues).
  port.postMessage(reply);
});
