/**
 * Per-client token bucket for the requests that make the lab do work (frame sends, pings,
 * explains). A client is its remote address. The table of buckets is bounded: when full, the
 * bucket used least recently is forgotten (a forgotten client starts again with a full bucket).
 */
import type { RequestHandler } from 'express';

export interface RateLimitOptions {
  /** bucket size: requests allowed in a burst */
  burst: number;
  /** tokens added per second */
  perSecond: number;
  /** clients remembered at most */
  maxClients?: number;
  /** clock in ms (tests) */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly perMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions) {
    this.burst = options.burst;
    this.perMs = options.perSecond / 1000;
    this.maxClients = options.maxClients ?? 10_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes one token for `client`; returns 0 when allowed, else the ms to wait for the next token. */
  take(client: string): number {
    const t = this.now();
    let b = this.buckets.get(client);
    if (b === undefined) {
      if (this.buckets.size >= this.maxClients) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = { tokens: this.burst, at: t };
    } else {
      this.buckets.delete(client); // re-insert: Map order = least recently used first
      b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.perMs);
      b.at = t;
    }
    this.buckets.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.perMs > 0 ? Math.ceil((1 - b.tokens) / this.perMs) : Infinity;
  }

  get clients(): number {
    return this.buckets.size;
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const wait = this.take(req.socket.remoteAddress ?? 'unknown');
      if (wait === 0) {
        next();
        return;
      }
      const seconds = Number.isFinite(wait) ? Math.max(1, Math.ceil(wait / 1000)) : 60;
      res.setHeader('Retry-After', String(seconds));
      res.status(429).json({ error: 'too many requests: frame sends are rate limited', details: { retryAfterMs: Number.isFinite(wait) ? wait : null } });
    };
  }
}
