/**
 * Starts the server: decides the bind policy (security.ts), loads the first topology, builds the
 * session, the express app and the socket.io server, and listens. `close()` stops everything it
 * started (timers, sockets, streams).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { Server as IoServer } from 'socket.io';
import type { ClockMode } from './api-types.js';
import { createApp } from './app.js';
import { CaptureSource, type CaptureSourceOptions } from './capture-source.js';
import type { AppContext } from './context.js';
import { engineLabFactory, topologyValidator, type LabFactory } from './engine-binding.js';
import { ApiError } from './errors.js';
import { LabSession } from './lab-session.js';
import { LiveEvents, type LiveEventsOptions } from './live-events.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { bearerFrom, decideBind, hostHeaderIsLoopback, isLoopbackHost, originAllowed, tokenMatches } from './security.js';
import type { TopologyValidator, ValidationResult } from './topology-validator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_EXAMPLES_DIR = path.join(ROOT, 'topologies');
export const DEFAULT_STATIC_DIR = path.join(ROOT, 'web', 'dist');
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

/** A refusal to start (bad option, invalid first topology): the CLI prints it and exits non-zero. */
export class ServeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ServeError';
  }
}

export interface StartOptions {
  host?: string;
  /** 0 = any free port */
  port?: number;
  token?: string | undefined;
  insecure?: boolean;
  /** the first topology, validated, and where it came from */
  initial: { result: ValidationResult; source: string };
  createLab?: LabFactory;
  validator?: TopologyValidator;
  examplesDir?: string;
  staticDir?: string;
  clockMode?: ClockMode;
  rateLimit?: Omit<RateLimitOptions, 'now'>;
  live?: Partial<Omit<LiveEventsOptions, 'snapshot' | 'counters'>>;
  /** recording limits of the capture session */
  capture?: CaptureSourceOptions;
  topologyBodyLimit?: number;
  requestBodyLimit?: number;
  sendSettleMs?: number;
  /** real time: how long POST /api/ping waits for the ping (default 30 s), then 202 */
  pingWaitMs?: number;
  liveCaptureBufferBytes?: number;
  version?: string;
  /** a partition of a partitioned lab: what GET /api/partition answers (`settled`: frame ids asked about) */
  partition?: (settled: number[]) => unknown;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  warning: string | undefined;
  app: Express;
  http: HttpServer;
  io: IoServer;
  session: LabSession;
  live: LiveEvents;
  close(): Promise<void>;
}

/** pending connections the kernel queues for us (capped by net.core.somaxconn) */
const LISTEN_BACKLOG = 4096;

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const bind = decideBind({ host, token: options.token, insecure: options.insecure });
  if (!bind.ok) throw new ServeError(bind.error, 2);
  const token = bind.token;
  // a loopback bind is reached through loopback names only: any other Host is DNS rebinding,
  // with or without a token and whatever --insecure says (it only allows no token off loopback)
  const hostGuard = isLoopbackHost(host);

  const createLab = options.createLab ?? engineLabFactory;
  const validator = options.validator ?? topologyValidator;

  const session = new LabSession({
    createLab,
    validator,
    capture: new CaptureSource(options.capture),
    ...(options.clockMode ? { clockMode: options.clockMode } : {}),
  });
  try {
    session.load(options.initial.result, options.initial.source);
  } catch (err) {
    if (err instanceof ApiError) throw new ServeError(`${options.initial.source}: ${err.message}`, 1, err.details);
    throw err;
  }

  const ctx: AppContext = {
    session,
    validator,
    frameLimiter: new RateLimiter(options.rateLimit ?? { burst: 100, perSecond: 50 }),
    examplesDir: options.examplesDir ?? DEFAULT_EXAMPLES_DIR,
    sendSettleMs: options.sendSettleMs ?? 2000,
    pingWaitMs: options.pingWaitMs ?? 30_000,
    liveCaptureBufferBytes: options.liveCaptureBufferBytes ?? 4 * 1024 * 1024,
  };
  const app = createApp(ctx, {
    token,
    hostGuard,
    staticDir: options.staticDir ?? DEFAULT_STATIC_DIR,
    ...(options.topologyBodyLimit !== undefined ? { topologyBodyLimit: options.topologyBodyLimit } : {}),
    ...(options.requestBodyLimit !== undefined ? { requestBodyLimit: options.requestBodyLimit } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
    partition: options.partition,
  });

  const http = createServer(app);
  // every TCP connection, upgraded ones included, so that close() does not wait on a stalled client
  const sockets = new Set<Socket>();
  http.on('connection', (sock: Socket) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
  });
  const io = new IoServer(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, cb) => {
      const ok = originAllowed(req) && (!hostGuard || hostHeaderIsLoopback(req.headers.host));
      cb(ok ? null : 'forbidden origin or host', ok);
    },
  });
  if (token !== undefined) {
    io.use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const presented = typeof auth?.token === 'string' ? auth.token : bearerFrom(socket.handshake.headers.authorization);
      if (tokenMatches(presented, token)) next();
      else next(new Error('unauthorized: missing or wrong token'));
    });
  }
  const live = new LiveEvents({
    ...options.live,
    snapshot: () => ({ topology: session.state, clock: session.clockState() }),
    counters: () => session.lab.allCounters(),
  });
  live.attach(io);
  session.setLive(live);

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new ServeError(`cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`, 2));
    };
    http.once('error', onError);
    // a deep accept queue: a burst of new connections (a client opening one per request under
    // load) must not overflow the default 511 and wait out TCP's 1 s SYN retransmission
    http.listen({ port: options.port ?? DEFAULT_PORT, host, backlog: LISTEN_BACKLOG }, () => {
      http.off('error', onError);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    warning: bind.ok ? bind.warning : undefined,
    app,
    http,
    io,
    session,
    live,
    close: () => (closing ??= new Promise<void>((resolve) => {
      session.close();
      http.close(() => resolve());
      void io.close();
      for (const sock of sockets) sock.destroy();
    })),
  };
}
