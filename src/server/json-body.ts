/**
 * JSON request bodies with a byte limit that is enforced while the body arrives: a body larger
 * than the limit (announced by Content-Length, or counted chunk by chunk when it is chunked) is
 * answered 413 at once and its connection closed, instead of being read to its end first (which
 * body-parser does before it reports the limit). Bodies that are not JSON are left unread; the
 * app's JSON-only check answers them 415.
 *
 * With `raw: true` (the topology routes) the body is kept as its bytes, neither decoded nor parsed
 * here: rawJson(req) gives them to the route, which hands them to the validation worker (a 5 MB
 * body took 200-400 ms of JSON.parse on the event loop, and decoding it into a string and copying
 * that to the worker tens of ms more). An empty body still reads as req.body = {}.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';

function tooLarge(limit: number, length: number | undefined): ApiError {
  return new ApiError(413, 'request body too large', { limit, ...(length !== undefined ? { length } : {}) });
}

export interface JsonBodyOptions {
  /** keep the body's bytes for rawJson(req) instead of parsing it into req.body */
  raw?: boolean;
}

const rawBodies = new WeakMap<IncomingMessage, Uint8Array>();

/**
 * The unparsed body of a request read with `raw: true`, as UTF-8 bytes in an ArrayBuffer of its
 * own (it can be transferred to a worker); undefined when there was none.
 */
export function rawJson(req: IncomingMessage): Uint8Array | undefined {
  return rawBodies.get(req);
}

/**
 * A raw body's bytes, copied in as its chunks arrive into an ArrayBuffer of its own that doubles
 * when full: no single step copies the whole body at its end (joining 5 MB of chunks there took
 * 10-35 ms of the event loop), and no more is held than twice what has arrived.
 */
class ByteCollector {
  private bytes: Uint8Array;
  length = 0;

  /** `size`: the announced Content-Length (the buffer grows to it exactly), if any */
  constructor(private readonly size: number | undefined) {
    this.bytes = new Uint8Array(Math.min(size ?? Infinity, 64 * 1024));
  }

  add(chunk: Buffer): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(Math.min(this.bytes.length * 2, this.size ?? Infinity), this.length + chunk.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** The bytes, all of their ArrayBuffer (so it can be transferred); a copy only for a chunked body. */
  take(): Uint8Array {
    return this.length === this.bytes.length ? this.bytes : this.bytes.slice(0, this.length);
  }
}

/** UTF-8 bytes -> text, as the body would have been decoded (invalid sequences become U+FFFD). */
export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Only JSON objects and arrays, like body-parser's strict mode; 400 ApiError otherwise. */
export function parseJson(text: string): unknown {
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') {
    throw new ApiError(400, 'malformed JSON body', { message: 'the body must be a JSON object or array' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, 'malformed JSON body', { message: err instanceof Error ? err.message : String(err) });
  }
}

export function jsonBody(limit: number, options: JsonBodyOptions = {}): RequestHandler {
  return (req, res, next) => {
    const lengthHeader = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (lengthHeader === undefined && !chunked) {
      next();
      return;
    }
    if (!req.is('application/json')) {
      next();
      return;
    }
    if (lengthHeader === '0' && !chunked) {
      req.body = {}; // an empty JSON body reads as {} (as body-parser had it)
      next();
      return;
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      next(new ApiError(415, `unsupported content encoding "${encoding}": send the JSON body uncompressed`));
      return;
    }
    const charset = /;\s*charset=([^;\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.replace(/"/g, '').toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      next(new ApiError(415, `unsupported charset "${charset}": send the JSON body as UTF-8`));
      return;
    }
    const refuse = (err: ApiError): void => {
      // the rest of the body is not wanted: answer now and close the connection behind the answer
      res.setHeader('Connection', 'close');
      req.pause();
      next(err);
    };
    const announced = lengthHeader !== undefined ? Number(lengthHeader) : undefined;
    if (announced !== undefined && announced > limit) {
      refuse(tooLarge(limit, announced));
      return;
    }
    const chunks: Buffer[] = [];
    const collector = options.raw ? new ByteCollector(announced) : undefined;
    let received = 0;
    let done = false;
    const finish = (err: ApiError | undefined): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err !== undefined) {
        if (err.status === 413) refuse(err);
        else next(err);
        return;
      }
      try {
        if (received === 0) req.body = {};
        else if (collector) rawBodies.set(req, collector.take());
        else req.body = parseJson(Buffer.concat(chunks, received).toString('utf8'));
      } catch (e) {
        next(e);
        return;
      }
      next();
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) {
        chunks.length = 0;
        finish(tooLarge(limit, announced));
        return;
      }
      if (collector) collector.add(chunk);
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (): void => finish(new ApiError(400, 'the request body could not be read'));
    const onAborted = (): void => finish(new ApiError(400, 'the request was aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  };
}
