/**
 * Per-client token buckets for the requests that make the lab do work (frame sends, pings,
 * explains, runtime changes). Two buckets per client, both must allow: one counts requests, one
 * counts the frames a request asks for (`count` of POST /api/frames or /api/ping), so that fifty
 * requests of a thousand frames each are not fifty requests' worth of work. A client is its
 * remote address. The table of clients is bounded: when full, the client used least recently is
 * forgotten (a forgotten client starts again with full buckets).
 */
import type { Request, RequestHandler } from 'express';

export interface RateLimitOptions {
  /** requests allowed in a burst */
  burst: number;
  /** requests added per second */
  perSecond: number;
  /** frames allowed in a burst (default 2000: two sends of the largest count) */
  frameBurst?: number;
  /** frames added per second (default 1000) */
  framesPerSecond?: number;
  /** clients remembered at most */
  maxClients?: number;
  /** clock in ms (tests) */
  now?: () => number;
}

interface Buckets {
  requests: number;
  frames: number;
  at: number;
}

/** Frames a request asks for: its body's `count` (an integer, at least 1), else 1. */
export function framesAsked(req: Request): number {
  const count = (req.body as { count?: unknown } | undefined)?.count;
  return typeof count === 'number' && Number.isInteger(count) && count > 1 ? count : 1;
}

export class RateLimiter {
  private readonly clientsMap = new Map<string, Buckets>();
  private readonly burst: number;
  private readonly perMs: number;
  private readonly frameBurst: number;
  private readonly framesPerMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions) {
    this.burst = options.burst;
    this.perMs = options.perSecond / 1000;
    this.frameBurst = options.frameBurst ?? 2000;
    this.framesPerMs = (options.framesPerSecond ?? 1000) / 1000;
    this.maxClients = options.maxClients ?? 10_000;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Takes one request and `frames` frames for `client`; returns 0 when allowed, else the ms to
   * wait until both buckets hold enough. A request for more frames than the frame burst waits
   * for a full bucket (it is never refused forever).
   */
  take(client: string, frames = 1): number {
    const t = this.now();
    let b = this.clientsMap.get(client);
    if (b === undefined) {
      if (this.clientsMap.size >= this.maxClients) {
        const oldest = this.clientsMap.keys().next().value;
        if (oldest !== undefined) this.clientsMap.delete(oldest);
      }
      b = { requests: this.burst, frames: this.frameBurst, at: t };
    } else {
      this.clientsMap.delete(client); // re-insert: Map order = least recently used first
      const dt = t - b.at;
      b.requests = Math.min(this.burst, b.requests + dt * this.perMs);
      b.frames = Math.min(this.frameBurst, b.frames + dt * this.framesPerMs);
      b.at = t;
    }
    this.clientsMap.set(client, b);
    const need = Math.min(frames, this.frameBurst);
    if (b.requests >= 1 && b.frames >= need) {
      b.requests -= 1;
      b.frames -= need;
      return 0;
    }
    const waitRequests = b.requests >= 1 ? 0 : this.perMs > 0 ? Math.ceil((1 - b.requests) / this.perMs) : Infinity;
    const waitFrames = b.frames >= need ? 0 : this.framesPerMs > 0 ? Math.ceil((need - b.frames) / this.framesPerMs) : Infinity;
    return Math.max(waitRequests, waitFrames);
  }

  get clients(): number {
    return this.clientsMap.size;
  }

  /** `cost`: the frames a request asks for (default: none beyond the request itself). */
  middleware(cost: (req: Request) => number = () => 1): RequestHandler {
    return (req, res, next) => {
      const wait = this.take(req.socket.remoteAddress ?? 'unknown', cost(req));
      if (wait === 0) {
        next();
        return;
      }
      const seconds = Number.isFinite(wait) ? Math.max(1, Math.ceil(wait / 1000)) : 60;
      res.setHeader('Retry-After', String(seconds));
      res.status(429).json({ error: 'too many requests: frame sends are rate limited (requests and frames per client)', details: { retryAfterMs: Number.isFinite(wait) ? wait : null } });
    };
  }
}
