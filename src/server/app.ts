/**
 * The express application: security first (host guard, bearer token, same-origin writes), JSON
 * body limits enforced while the body arrives (a topology upload may be larger than a frame
 * request), the API routes, the web UI (web/dist) or a plain page that says it is not built,
 * then JSON errors. Testable without listening.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import { jsonBody } from './json-body.js';
import { labGenerationGuard } from './lab-generation.js';
import type { AppContext } from './context.js';
import { errorHandler, notFound } from './error-handler.js';
import { ApiError } from './errors.js';
import { captureRoutes } from './routes/capture.js';
import { clockRoutes } from './routes/clock.js';
import { decodeRoutes } from './routes/decode.js';
import { frameRoutes } from './routes/frames.js';
import { inspectRoutes } from './routes/inspect.js';
import { lessonRoutes } from './routes/lessons.js';
import { policyRoutes } from './routes/policy.js';
import { runtimeRoutes } from './routes/runtime.js';
import { simulationRoutes } from './routes/simulation.js';
import { topologyRoutes } from './routes/topology.js';
import { loopbackHostGuard, refuseForeignOrigin, requireBearer, requireJsonOrHeader } from './security.js';

export interface AppOptions {
  /** bearer token required on /api (and socket.io) */
  token?: string | undefined;
  /** refuse non-loopback Host headers (every loopback bind: DNS-rebinding guard) */
  hostGuard: boolean;
  /** web/dist; a placeholder page when it does not exist */
  staticDir?: string | undefined;
  /** bytes; default 5 MB */
  topologyBodyLimit?: number;
  /** bytes; default 64 KB */
  requestBodyLimit?: number;
  version?: string;
  /** a partition of a partitioned lab: GET /api/partition (src/cli/serve-attachments.ts); `settled`: frame ids asked about */
  partition?: ((settled: number[]) => unknown) | undefined;
}

export const API_INDEX: ReadonlyArray<readonly [string, string, string]> = [
  ['GET', '/api/health', 'server and clock status'],
  ['GET', '/api/topology', 'current topology and its warnings'],
  ['GET', '/api/partition?settled=id,…', 'a partition of a partitioned lab: its place in the plan, its cut cables (state, frames), whether those frames settled here'],
  ['POST', '/api/topology', 'load {topology} | {text, fileName?} | {example}; 422 with errors when invalid'],
  ['POST', '/api/topology/validate', 'validate the same body without loading it'],
  ['GET', '/api/examples', 'example topologies'],
  ['POST', '/api/frames', 'send {from, frame, count?, intervalMs?}; returns the trace (a flood with intervalMs: at once, events live)'],
  ['POST', '/api/ping', 'ping {from, to, count?, size?, df?, intervalMs?, timeoutMs?}: 200 when over; 202 {pending} when the clock is paused/stepped'],
  ['POST', '/api/explain', 'dry-run trace {from, frame}'],
  ['POST', '/api/decode', 'decode a frame {hex}: {summary, layers, malformed?}'],
  ['GET', '/api/lessons', 'the loaded topology\'s description, tests, scenarios and activity'],
  ['POST', '/api/lessons/tests', 'run its tests {index?} (fresh labs of the topology as it runs now)'],
  ['POST', '/api/lessons/scenario', 'play a timed scenario {file} | {text, fileName?} on the lab\'s clock (202; progress live), or {on: \'fresh\'}: at once on a fresh lab'],
  ['GET', '/api/lessons/scenario', 'the scenario played last on the lab: timeline and checks so far, done, verdict'],
  ['POST', '/api/lessons/activity', 'grade its activity: each task passed or not, the score'],
  ['GET', '/api/interfaces', 'interfaces of the lab'],
  ['GET', '/api/counters[/:iface]', 'counters'],
  ['GET', '/api/mac-tables[/:switch]', 'physical switch MAC tables'],
  ['GET', '/api/arp[/:iface]', 'ARP caches'],
  ['GET', '/api/esxcli/vswitches?host=', 'vSwitch list'],
  ['GET', '/api/esxcli/portgroups?host=', 'port group list'],
  ['GET', '/api/esxcli/vmknics?host=', 'VMkernel interface list'],
  ['GET', '/api/policy?host=&vswitch=|portGroup=', 'effective policy, each value with its source'],
  ['POST', '/api/changes', 'one runtime change {kind, …}: link, vnic-connect, effective-mac, portgroup, vswitch-policy, uplink-add, uplink-remove, migrate'],
  ['POST', '/api/links/state', 'cable up/down {iface, up}'],
  ['POST', '/api/vnics/state', 'vNIC {iface, connected?, mac?}'],
  ['GET', '/api/clock', 'clock mode and virtual time'],
  ['POST', '/api/clock', 'set mode {mode: realtime|paused|step}'],
  ['POST', '/api/clock/step', 'process the next event(s) {count?}'],
  ['GET', '/api/capture/points', 'capture points and recording status'],
  ['GET', '/api/capture/download?points=…&format=pcapng|pcap', 'recorded packets as a file'],
  ['DELETE', '/api/capture', 'clear recorded packets'],
  ['GET', '/api/capture/live?points=…', 'live pcapng stream: curl -sN URL | wireshark -k -i -'],
];

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function placeholderPage(): string {
  const rows = API_INDEX.map(([m, p, d]) => `<tr><td>${m}</td><td><code>${escapeHtml(p)}</code></td><td>${escapeHtml(d)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vswitch-lab</title></head>
<body>
<h1>vswitch-lab</h1>
<p>The web UI is not built (no <code>web/dist</code>): run <code>npm run build:web</code> and reload
(<code>npm start</code> builds it before it serves). The lab is running; its HTTP API answers below,
and socket.io serves live events (<code>lab:hello</code>, <code>lab:update</code>).</p>
<table>
<thead><tr><th>Method</th><th>Path</th><th>What</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}

/**
 * A request body that is not JSON (curl's `-d` alone sends a form) is refused with 415 and the
 * header to send, instead of reaching a route as an empty body and failing there for a reason
 * that would not say what was wrong.
 */
const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(new ApiError(415, 'the body must be JSON: send the header Content-Type: application/json (curl: -H \'content-type: application/json\')', {
      contentType: req.headers['content-type'] ?? null,
    }));
    return;
  }
  next();
};

export function createApp(ctx: AppContext, options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  if (options.hostGuard) app.use(loopbackHostGuard);
  if (options.token !== undefined) app.use('/api', requireBearer(options.token));
  app.use('/api', refuseForeignOrigin);

  // the topology routes parse their body in the validation worker (routes/topology.ts)
  const bigJson = jsonBody(options.topologyBodyLimit ?? 5 * 1024 * 1024, { raw: true });
  const smallJson = jsonBody(options.requestBodyLimit ?? 64 * 1024);
  const json: RequestHandler = (req, res, next) => {
    const big = req.method === 'POST' && (req.path === '/topology' || req.path === '/topology/validate');
    (big ? bigJson : smallJson)(req, res, next);
  };
  app.use('/api', json);
  app.use('/api', jsonBodiesOnly);
  app.use('/api', requireJsonOrHeader);
  // X-Lab-Generation: a request about one lab is refused (204 read, 409 change) once another replaced it
  app.use('/api', labGenerationGuard(ctx.session));

  app.get('/api/health', (_req, res) => {
    // generation: which lab this is (a page checks it before refreshing what it shows of the lab)
    res.json({ ok: true, version: options.version ?? null, loaded: ctx.session.loaded, generation: ctx.session.loaded ? ctx.session.labGeneration : null, clock: ctx.session.clockState() });
  });
  app.get('/api/partition', (req, res) => {
    if (!options.partition) throw new ApiError(404, 'this server runs a whole lab, not a partition of one (vswitch-lab serve --plan --partition)');
    const q = typeof req.query.settled === 'string' ? req.query.settled : '';
    const ids = q === '' ? [] : q.split(',').slice(0, 1000).map(Number);
    if (ids.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw new ApiError(400, 'settled: frame ids (whole numbers > 0), comma-separated');
    res.json(options.partition(ids));
  });
  app.use('/api', topologyRoutes(ctx));
  app.use('/api', frameRoutes(ctx));
  app.use('/api', inspectRoutes(ctx));
  app.use('/api', lessonRoutes(ctx));
  app.use('/api', policyRoutes(ctx));
  app.use('/api', decodeRoutes());
  app.use('/api', runtimeRoutes(ctx));
  app.use('/api', clockRoutes(ctx));
  app.use('/api', simulationRoutes(ctx));
  app.use('/api', captureRoutes(ctx));
  app.use('/api', notFound);

  const dist = options.staticDir;
  if (dist !== undefined && existsSync(path.join(dist, 'index.html'))) {
    app.use(express.static(dist, { index: 'index.html' }));
    app.get('/{*rest}', (_req, res) => res.sendFile(path.join(dist, 'index.html')));
  } else {
    app.get('/', (_req, res) => {
      res.type('html').send(placeholderPage());
    });
  }
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
