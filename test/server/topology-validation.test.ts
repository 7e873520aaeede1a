/**
 * The server validates topologies off the event loop (src/server/topology-validator.ts) and rate
 * limits the topology routes (issue 17, item 1); GET /api/topology never shows the server's
 * absolute paths (item 7). How long the event loop may block while a 5 MB topology is validated
 * is measured by the benchmark (test/bench/topology.ts), not timed here; that the server's thread
 * never parses a topology body (the worker does) is checked by watching its JSON.parse.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src/server/context.js';
import { topologyValidator } from '../../src/server/engine-binding.js';
import { ApiError } from '../../src/server/errors.js';
import { topologyRoutes, TOPOLOGY_RATE_LIMITS } from '../../src/server/routes/topology.js';
import { TopologyValidationWorker } from '../../src/server/topology-validator.js';
import { displaySource } from '../../src/server/topology-source.js';
import { countIssues } from '../../src/topology/issue.js';
import { loadTopologyText, validateTopology } from '../../src/topology/load.js';
import { ROOT, startTestServer, type TestServer } from './helpers.js';

/** A document the loader needs a while for: `n` links between switches that do not exist. */
function dangling(n: number): Record<string, unknown> {
  return { version: 1, name: 'dangling', links: Array.from({ length: n }, (_, i) => ({ a: `sw-${i}:eth1`, b: `sw-${i}:eth2` })) };
}

describe('TopologyValidationWorker', () => {
  const worker = new TopologyValidationWorker();
  afterAll(() => worker.close());

  it('gives the same result as the loader on the event loop, for values and for text', async () => {
    const doc = dangling(3);
    expect(await worker.validate(doc)).toEqual(validateTopology(doc));
    const text = JSON.stringify({ version: 1, name: 'x', vms: 'no' }, null, 2);
    expect(await worker.validateText(text, 'x.json')).toEqual(loadTopologyText(text, 'x.json'));
  });

  it('the event loop keeps turning while it validates (the loader used to run on it)', async () => {
    const doc = dangling(60_000);
    await worker.validate({ version: 1, name: 'warm' }); // the worker is up
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const r = await worker.validate(doc);
    spinning = false;
    expect(r.ok).toBe(false);
    expect(countIssues(r.ok ? [] : r.errors)).toBe(120_000);
    // on the event loop, not one setImmediate could run until the result was there
    expect(turns).toBeGreaterThan(10);
  }, 120_000);

  it('a route body goes as bytes: parsed, read and validated in the worker; its own buffer is moved, a pooled one copied', async () => {
    const doc = dangling(3);
    const own = new TextEncoder().encode(JSON.stringify({ topology: doc }));
    expect(await worker.validateBody(own)).toEqual({ form: 'topology', result: validateTopology(doc) });
    expect(own.byteLength).toBe(0); // transferred, not copied
    const text = JSON.stringify({ version: 1, name: 'x', vms: 'no' });
    expect(await worker.validateBody(new TextEncoder().encode(JSON.stringify({ text, fileName: 'x.json' })))).toEqual({ form: 'text', fileName: 'x.json', result: loadTopologyText(text, 'x.json') });
    // a small Buffer is a view into Node's shared pool: copied, so the pool stays usable
    const pooled = Buffer.from('{"example":"vlans"}');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    expect(await worker.validateBody(pooled)).toEqual({ form: 'example', name: 'vlans' });
    expect(pooled.toString()).toBe('{"example":"vlans"}');
    // refused as the event loop would: malformed JSON, not one of the forms
    await expect(worker.validateBody(Buffer.from('{"topology": {'))).rejects.toMatchObject({ status: 400, message: 'malformed JSON body' });
    await expect(worker.validateBody(Buffer.from('"just a string"'))).rejects.toMatchObject({ status: 400, message: 'malformed JSON body' });
    await expect(worker.validateBody(Buffer.from('{"nope": 1}'))).rejects.toMatchObject({ status: 400, details: { keys: ['nope'] } });
  });

  it('a full queue is refused with 503 at once; the queued job still completes', async () => {
    const small = new TopologyValidationWorker({ maxQueued: 1 });
    try {
      const first = small.validate(dangling(10));
      await expect(small.validate(dangling(1))).rejects.toMatchObject({ status: 503, message: expect.stringContaining('busy') });
      expect((await first).ok).toBe(false);
      expect(small.queued).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('a job past the time limit ends the worker with 503; the next job gets a fresh one', async () => {
    const hasty = new TopologyValidationWorker({ timeoutMs: 1 });
    try {
      const err = await hasty.validate(dangling(50_000)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 503, message: expect.stringContaining('took longer than') });
    } finally {
      await hasty.close();
    }
    const patient = new TopologyValidationWorker();
    try {
      expect((await patient.validate({ version: 1, name: 'ok' })).ok).toBe(true);
    } finally {
      await patient.close();
    }
  });
});

describe('topology routes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('the API answers while a large upload is validated', async () => {
    const big = s.api('/api/topology/validate', { method: 'POST', json: { topology: dangling(40_000) } });
    let done = false;
    const answered = big.then(async (res) => {
      done = true;
      return res;
    });
    let healthy = 0;
    while (!done) {
      const res = await s.api('/api/health');
      if (!done && res.ok) healthy++;
    }
    const res = await answered;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; errors: { code: string; omitted?: number }[] };
    expect(body.ok).toBe(false);
    expect(body.errors).toHaveLength(1001);
    expect(body.errors.at(-1)).toMatchObject({ code: 'more-issues', omitted: 79_000 });
    // answered while the worker validated (on the event loop, each would have waited for the end)
    expect(healthy).toBeGreaterThan(2);
  }, 120_000);

  /** POSTs `text` in `parts` chunks; `between` runs after each chunk is written, before the next. */
  function postInChunks(route: string, text: string, parts: number, between: () => Promise<void>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(route, s.url), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      void (async () => {
        const size = Math.ceil(text.length / parts);
        for (let at = 0; at < text.length; at += size) {
          await new Promise<void>((done) => req.write(text.slice(at, at + size), () => done()));
          await between();
        }
        req.end();
      })().catch(reject);
    });
  }

  it('the server\'s thread never parses a topology body: /api/health answers between chunks, the worker parses and refuses', async () => {
    const text = JSON.stringify({ topology: dangling(40_000) });
    const big = 1024 * 1024;
    expect(text.length).toBeGreaterThan(big);
    const parsedHere: number[] = [];
    const parse = JSON.parse.bind(JSON);
    const spy = vi.spyOn(JSON, 'parse').mockImplementation((t: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof t === 'string' && t.length >= big) parsedHere.push(t.length);
      return parse(t, reviver) as unknown;
    });
    try {
      let healthy = 0;
      const health = async (): Promise<void> => {
        if ((await s.api('/api/health')).ok) healthy++;
      };
      // a valid body with 80,000 mistakes: validated, 1,000 issues back
      const valid = await postInChunks('/api/topology/validate', text, 8, health);
      expect(valid.status).toBe(200);
      const result = parse(valid.body) as { ok: boolean; errors: { code: string; omitted?: number }[] };
      expect(result.ok).toBe(false);
      expect(result.errors.at(-1)).toMatchObject({ code: 'more-issues', omitted: 79_000 });
      // the same body cut short: malformed JSON, found by the worker's JSON.parse -> the same 400 as before
      const cut = await postInChunks('/api/topology', text.slice(0, -2), 8, health);
      expect(cut.status).toBe(400);
      expect(parse(cut.body)).toMatchObject({ error: 'malformed JSON body', details: { message: expect.any(String) } });
      // not one of the forms: the worker reads the form and gives the same 400 naming the keys
      const wrong = await postInChunks('/api/topology', JSON.stringify({ topologies: dangling(40_000) }), 8, health);
      expect(wrong.status).toBe(400);
      expect((parse(wrong.body) as { error: string }).error).toContain('the body has "topologies"');
      expect(healthy).toBe(24);
      // not once did the event loop parse a megabyte (the watch works: this parse is seen)
      expect(parsedHere).toEqual([]);
      JSON.parse(text);
      expect(parsedHere).toEqual([text.length]);
    } finally {
      spy.mockRestore();
    }
    await expect(s.api('/api/health').then((r) => r.status)).resolves.toBe(200);
  }, 120_000);

  it('a chunked topology body (no Content-Length) is collected as it comes and validated in the worker', async () => {
    const text = JSON.stringify({ topology: dangling(2_000) });
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL('/api/topology/validate', s.url), { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let at = 0; at < text.length; at += 10_000) req.write(text.slice(at, at + 10_000));
      req.end();
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, errors: expect.any(Array) });
    expect(countIssues((JSON.parse(res.body) as { errors: Parameters<typeof countIssues>[0] }).errors)).toBe(4_000);
  });

  it('GET /api/topology shows where the topology came from without the server\'s absolute path', async () => {
    const state = (await (await s.api('/api/topology')).json()) as { source: string };
    expect(path.isAbsolute(state.source)).toBe(false);
    expect(state.source).toBe(path.join('topologies', 'default.json'));
    expect(displaySource('/srv/labs/secret-user/lab.json', '/work')).toBe('lab.json');
    expect(displaySource('/work/labs/lab.json', '/work')).toBe(path.join('labs', 'lab.json'));
    expect(displaySource('example:vlans')).toBe('example:vlans');
  });
});

describe('rate limits of the topology routes', () => {
  it('loads and validations beyond the burst -> 429 with Retry-After; reads have their own budget', async () => {
    const t = await startTestServer();
    // the routes over the server's session, with small budgets and almost no refill
    const ctx = { session: t.session, validator: topologyValidator, examplesDir: path.join(ROOT, 'topologies') } as unknown as AppContext;
    const app = express();
    app.use(express.json());
    app.use('/api', topologyRoutes(ctx, { validate: { burst: 3, perSecond: 0.001 }, read: { burst: 2, perSecond: 0.001 } }));
    const http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const post = (route: string) => fetch(base + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ example: 'vlans' }) });
    try {
      const statuses: number[] = [];
      for (const route of ['/api/topology/validate', '/api/topology', '/api/topology/validate', '/api/topology', '/api/topology/validate']) statuses.push((await post(route)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const r = await post('/api/topology/validate');
      expect(r.headers.get('retry-after')).not.toBeNull();
      expect(((await r.json()) as { error: string }).error).toBe('too many requests: topology loads and validations are rate limited');
      // reads: their own bucket
      expect([(await fetch(`${base}/api/topology`)).status, (await fetch(`${base}/api/topology`)).status, (await fetch(`${base}/api/topology`)).status]).toEqual([200, 200, 429]);
    } finally {
      await new Promise((resolve) => http.close(resolve));
      await t.close();
    }
  });

  it('the server has them on by default', () => {
    expect(TOPOLOGY_RATE_LIMITS.validate.burst).toBeGreaterThan(0);
    expect(TOPOLOGY_RATE_LIMITS.validate.perSecond).toBeGreaterThan(0);
  });
});
