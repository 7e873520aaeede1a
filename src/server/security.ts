/**
 * Who may talk to the server. By default it binds 127.0.0.1 and needs no token. Binding any other
 * address requires a bearer token (`--token`), unless `--insecure` says explicitly that an open
 * lab on the network is wanted (then a warning is printed). With a token, every /api request
 * needs `Authorization: Bearer <token>` and every socket.io connection `auth: { token }`.
 *
 * A loopback bind always checks that the Host header names a loopback address (DNS-rebinding
 * guard), with or without a token, and whatever `--insecure` says: `--insecure` only means "no
 * token off loopback" (on loopback it changes nothing and says so). socket.io refuses
 * cross-origin browsers. Every state-changing HTTP request (not GET/HEAD/OPTIONS) must come from
 * the server's own origin (a foreign `Origin` is refused) and carry either a JSON content type or
 * the header `X-Vswitch-Lab` — things a page on another origin cannot send without a CORS
 * preflight, which this server never grants (CSRF guard).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

export interface BindOptions {
  host: string;
  token?: string | undefined;
  insecure?: boolean | undefined;
}

export type BindDecision =
  | { ok: true; token: string | undefined; warning?: string }
  | { ok: false; error: string };

const MIN_TOKEN_LENGTH = 8;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The policy of the module comment, as a pure function (the CLI turns an error into exit 2). */
export function decideBind(options: BindOptions): BindDecision {
  const token = options.token === '' ? undefined : options.token;
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    return { ok: false, error: `--token must be at least ${MIN_TOKEN_LENGTH} characters` };
  }
  if (isLoopbackHost(options.host)) {
    if (options.insecure) {
      return {
        ok: true,
        token,
        warning: `warning: --insecure changes nothing on ${options.host} (loopback): it only allows a non-loopback bind without a token; the Host and Origin checks stay on`,
      };
    }
    return { ok: true, token };
  }
  if (token !== undefined) return { ok: true, token };
  if (options.insecure) {
    return {
      ok: true,
      token: undefined,
      warning: `warning: serving on ${options.host} without a token (--insecure): anyone who can reach this address can change the lab`,
    };
  }
  return {
    ok: false,
    error: `binding ${options.host} (not loopback) requires --token <secret>, or --insecure to serve without one`,
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

export function bearerFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** Express middleware: 401 `{error}` unless the request carries the bearer token. */
export function requireBearer(token: string): RequestHandler {
  return (req, res, next) => {
    if (tokenMatches(bearerFrom(req.headers.authorization), token)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="vswitch-lab"');
    res.status(401).json({ error: 'missing or wrong bearer token', details: { hint: 'send Authorization: Bearer <token>' } });
  };
}

/** Host header names a loopback address (with any port). */
export function hostHeaderIsLoopback(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim());
  return m !== null && isLoopbackHost(m[1]!);
}

/** Without a token on loopback: refuse requests whose Host is not loopback (DNS rebinding). */
export const loopbackHostGuard: RequestHandler = (req, res, next) => {
  if (hostHeaderIsLoopback(req.headers.host)) {
    next();
    return;
  }
  res.status(403).json({ error: 'Host header must name the loopback address this server listens on' });
};

/** The header a script on the server's own origin adds to a request that has no JSON body. */
export const CSRF_HEADER = 'x-vswitch-lab';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** CSRF guard, first half: 403 for a state-changing request from a foreign `Origin`. */
export const refuseForeignOrigin: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method) || originAllowed(req)) {
    next();
    return;
  }
  res.status(403).json({ error: 'cross-origin request refused: requests that change the lab must come from the lab\'s own page', details: { origin: req.headers.origin ?? null } });
};

/**
 * CSRF guard, second half (after the body checks): 403 for a state-changing request with neither
 * a JSON content type nor the `X-Vswitch-Lab` header (a bodiless POST is a "simple" request a
 * page on any origin can send).
 */
export const requireJsonOrHeader: RequestHandler = (req, res, next) => {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (SAFE_METHODS.has(req.method) || mediaType === 'application/json' || req.headers[CSRF_HEADER] !== undefined) {
    next();
    return;
  }
  res.status(403).json({
    error: 'a request that changes the lab needs a JSON body or the header X-Vswitch-Lab: 1',
    details: { hint: 'curl: -H \'content-type: application/json\' -d \'{}\' or -H \'X-Vswitch-Lab: 1\'' },
  });
};

/** Same-origin check for socket.io handshakes from browsers (non-browser clients send no Origin). */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host?.toLowerCase();
  } catch {
    return false;
  }
}
