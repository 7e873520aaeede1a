/**
 * Topology validation off the event loop. A 5 MB upload with 200,000 mistakes takes the loader
 * up to a few hundred milliseconds of CPU; on the server's thread that would freeze the API,
 * socket.io and the real-time clock for that long. Here a worker thread (started on first use,
 * kept, never keeping the process alive) runs the loader, one job at a time, and the event loop
 * only posts the job and receives the result.
 *
 * Bounds: at most `maxQueued` jobs wait (then 503 "busy, retry"), a job that runs longer than
 * `timeoutMs` or runs the worker out of memory ends the worker (then 503 / 413, and the next job
 * starts a fresh one). The routes' rate limit (routes/topology.ts) keeps one client from filling
 * the queue.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Issue } from '../topology/issue.js';
import type { TopologyDoc } from '../topology/schema.js';
import { ApiError } from './errors.js';

export type ValidationResult =
  | { ok: true; topology: TopologyDoc; warnings: Issue[] }
  | { ok: false; errors: Issue[]; warnings: Issue[] };

/** The topology layer's `validateTopology` / `loadTopologyText`, as the server uses them (engine-binding.ts). */
export interface TopologyValidator {
  /** A parsed JSON value (API body). */
  validate(value: unknown): ValidationResult;
  /** JSON/JSONC text (upload, example file); errors carry line/column when known. */
  validateText(text: string, fileName?: string): ValidationResult;
  /** The same two off the event loop (this file); the topology routes use them when present. */
  validateOffThread?(value: unknown): Promise<ValidationResult>;
  validateTextOffThread?(text: string, fileName?: string): Promise<ValidationResult>;
  /**
   * A topology route's raw JSON body, parsed, read as one of its forms (topology-body.ts) and
   * validated off the event loop; an {example} comes back by name for the route to read.
   * Rejects with the same 400s as parsing it on the event loop. `json` is the body's UTF-8 bytes;
   * when they are all of their ArrayBuffer it is transferred to the worker (not copied), detached.
   */
  validateBodyOffThread?(json: Uint8Array): Promise<BodyValidation>;
}

/** What the validation worker made of a topology route's body. */
export type BodyValidation =
  | { form: 'topology'; result: ValidationResult }
  | { form: 'text'; fileName?: string; result: ValidationResult }
  | { form: 'example'; name: string };

type JobBody = { kind: 'value'; value: unknown } | { kind: 'text'; text: string; fileName?: string } | { kind: 'body'; json: Uint8Array };
export type ValidationJob = JobBody & { id: number };
export type ValidationReply =
  | { id: number; result: ValidationResult }
  | { id: number; body: BodyValidation }
  /** the body was refused (malformed JSON, not one of the forms): an ApiError to rethrow */
  | { id: number; refused: { status: number; message: string; details: unknown } }
  | { id: number; error: string };

export interface TopologyValidationWorkerOptions {
  /** jobs waiting or running at most; more are refused with 503 (default 8) */
  maxQueued?: number;
  /** a job running longer ends the worker: 503 (default 60 s) */
  timeoutMs?: number;
  /** the worker's heap limit (default 1024 MB) */
  maxHeapMb?: number;
}

interface Pending {
  resolve: (r: ValidationResult | BodyValidation) => void;
  reject: (e: Error) => void;
}

/**
 * How to start the worker module: the compiled .js directly, or — running from TypeScript
 * sources through tsx, as `npm start`, the bin script and the tests do — a small ES module that
 * registers tsx in the worker first (a worker does not inherit the loader).
 */
function workerEntry(): URL {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const entry = new URL(`./topology-validator-worker.${ts ? 'ts' : 'js'}`, here);
  if (!ts) return entry;
  let api = createRequire(here).resolve('tsx/esm/api');
  // the ESM build of tsx's API (its CommonJS build cannot be imported from an ES module here)
  const esm = api.replace(/\.cjs$/, '.mjs');
  if (esm !== api && existsSync(esm)) api = esm;
  const boot = `import { register } from ${JSON.stringify(pathToFileURL(api).href)};\nregister();\nawait import(${JSON.stringify(entry.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

/**
 * A body's bytes move to the worker rather than being copied, when they are all of their
 * ArrayBuffer (json-body.ts makes them so); a view into a larger or shared buffer is copied.
 */
function transferable(job: JobBody): ArrayBuffer[] {
  if (job.kind !== 'body') return [];
  const { buffer, byteOffset, byteLength } = job.json;
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength ? [buffer] : [];
}

export class TopologyValidationWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  /** jobs in the order they were posted (the worker answers in that order) */
  private readonly order: number[] = [];
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;

  constructor(options: TopologyValidationWorkerOptions = {}) {
    this.maxQueued = options.maxQueued ?? 8;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxHeapMb = options.maxHeapMb ?? 1024;
  }

  /** A parsed JSON value (API body). */
  validate(value: unknown): Promise<ValidationResult> {
    return this.post({ kind: 'value', value });
  }

  /** Topology text (upload, example file); issues carry line:column. */
  validateText(text: string, fileName?: string): Promise<ValidationResult> {
    return this.post(fileName === undefined ? { kind: 'text', text } : { kind: 'text', text, fileName });
  }

  /**
   * A topology route's raw JSON body (json-body.ts, `raw: true`): decoded, parsed, read as one of
   * its forms and validated in the worker, so the event loop neither parses nor copies the document.
   * When `json` is all of its ArrayBuffer, that is transferred to the worker: `json` is empty afterwards.
   */
  validateBody(json: Uint8Array): Promise<BodyValidation> {
    return this.post({ kind: 'body', json });
  }

  /** Jobs waiting or running. */
  get queued(): number {
    return this.pending.size;
  }

  /** Ends the worker; jobs still pending are refused (503). */
  async close(): Promise<void> {
    const w = this.worker;
    this.fail(new ApiError(503, 'the server is shutting down'));
    if (w) await w.terminate();
  }

  private post(job: JobBody & { kind: 'body' }): Promise<BodyValidation>;
  private post(job: JobBody): Promise<ValidationResult>;
  private post(job: JobBody): Promise<ValidationResult | BodyValidation> {
    if (this.pending.size >= this.maxQueued) {
      return Promise.reject(new ApiError(503, `the topology validator is busy (${this.pending.size} topologies waiting); retry in a moment`, { retryAfterSeconds: 1 }));
    }
    const id = this.nextId++;
    const worker = this.start();
    return new Promise<ValidationResult | BodyValidation>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.order.push(id);
      worker.ref(); // a job waits: keep the process alive until it is answered
      try {
        const message: ValidationJob = { ...job, id };
        worker.postMessage(message, transferable(job));
      } catch (err) {
        // a value that cannot be cloned (cannot come from JSON, but say so rather than hang)
        this.settle(id);
        this.arm();
        reject(new ApiError(400, `cannot validate this value: ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
      this.arm();
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerEntry(), { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    w.on('message', (reply: ValidationReply) => {
      const p = this.settle(reply.id);
      if (!p) return;
      if ('error' in reply) p.reject(new Error(`topology validator: ${reply.error}`));
      else if ('refused' in reply) p.reject(new ApiError(reply.refused.status, reply.refused.message, reply.refused.details));
      else if ('body' in reply) p.resolve(reply.body);
      else p.resolve(reply.result);
      this.arm();
    });
    w.on('error', (err: Error & { code?: string }) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.fail(
        oom
          ? new ApiError(413, `validating this topology needs more than the validator's ${this.maxHeapMb} MB of memory`)
          : new ApiError(500, `the topology validator failed: ${err.message}`),
      );
    });
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.fail(new ApiError(503, 'the topology validator stopped; retry'));
    });
    this.worker = w;
    return w;
  }

  /** Times the job at the head of the queue (the one the worker runs); an idle worker keeps nothing alive. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const head = this.order[0];
    if (head === undefined) {
      this.worker?.unref();
      return;
    }
    this.timer = setTimeout(() => {
      if (this.order[0] !== head) return;
      const w = this.worker;
      this.worker = undefined;
      this.fail(new ApiError(503, `validating the topology took longer than ${this.timeoutMs / 1000} s; it was stopped`));
      void w?.terminate();
    }, this.timeoutMs);
    this.timer.unref();
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    const at = this.order.indexOf(id);
    if (at >= 0) this.order.splice(at, 1);
    return p;
  }

  /** Refuses every pending job with `err`. */
  private fail(err: Error): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const all = [...this.pending.values()];
    this.pending.clear();
    this.order.length = 0;
    for (const p of all) p.reject(err);
  }
}
