import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { bearerFrom, decideBind, hostHeaderIsLoopback, isLoopbackHost, tokenMatches } from '../../src/server/security.js';
import { ServeError } from '../../src/server/server.js';
import { startTestServer, type TestServer } from './helpers.js';

describe('bind policy', () => {
  it('loopback needs no token', () => {
    expect(decideBind({ host: '127.0.0.1' })).toEqual({ ok: true, token: undefined });
    expect(decideBind({ host: '::1' }).ok).toBe(true);
    expect(decideBind({ host: 'localhost' }).ok).toBe(true);
  });

  it('another address requires --token, or --insecure with a warning', () => {
    const r = decideBind({ host: '0.0.0.0' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/requires --token/);
    expect(decideBind({ host: '192.168.1.5', token: 'long-enough-secret' })).toEqual({ ok: true, token: 'long-enough-secret' });
    const insecure = decideBind({ host: '0.0.0.0', insecure: true });
    expect(insecure.ok && insecure.warning).toMatch(/without a token/);
  });

  it('a short token is refused', () => {
    expect(decideBind({ host: '127.0.0.1', token: 'abc' }).ok).toBe(false);
  });

  it('helpers: loopback names, Host header, bearer parsing, token compare', () => {
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(hostHeaderIsLoopback('127.0.0.1:8080')).toBe(true);
    expect(hostHeaderIsLoopback('[::1]:8080')).toBe(true);
    expect(hostHeaderIsLoopback('evil.example:8080')).toBe(false);
    expect(hostHeaderIsLoopback('127.0.0.1.evil.example')).toBe(false);
    expect(bearerFrom('Bearer abc.def')).toBe('abc.def');
    expect(bearerFrom('Basic abc')).toBeUndefined();
    expect(tokenMatches('secret-123', 'secret-123')).toBe(true);
    expect(tokenMatches('secret-124', 'secret-123')).toBe(false);
    expect(tokenMatches(undefined, 'secret-123')).toBe(false);
  });

  it('startServer refuses 0.0.0.0 without a token (exit 2) before listening', async () => {
    await expect(startTestServer({ host: '0.0.0.0' })).rejects.toBeInstanceOf(ServeError);
  });
});

describe('server with a token', () => {
  const TOKEN = 'test-token-0123456789';
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ token: TOKEN });
  });
  afterAll(async () => {
    await s.close();
  });

  it('HTTP: 401 without the bearer token, 200 with it', async () => {
    const no = await s.api('/api/topology');
    expect(no.status).toBe(401);
    expect(((await no.json()) as { error: string }).error).toMatch(/token/);
    expect((await s.api('/api/topology', { headers: { authorization: 'Bearer wrong-token-xxxx' } })).status).toBe(401);
    expect((await s.api('/api/topology', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('socket.io: refused without the token, accepted with it', async () => {
    const url = s.url;
    const refused = await new Promise<string>((resolve) => {
      const c = ioClient(url, { transports: ['websocket'], reconnection: false });
      c.on('connect', () => {
        c.close();
        resolve('connected');
      });
      c.on('connect_error', (err) => {
        c.close();
        resolve(err.message);
      });
    });
    expect(refused).toMatch(/unauthorized/);
    const hello = await new Promise<unknown>((resolve, reject) => {
      const c = ioClient(url, { transports: ['websocket'], reconnection: false, auth: { token: TOKEN } });
      c.on('lab:hello', (h: unknown) => {
        c.close();
        resolve(h);
      });
      c.on('connect_error', (err) => reject(err));
    });
    expect((hello as { topology: { generation: number } }).topology.generation).toBe(1);
  });
});

describe('loopback without a token', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('refuses a foreign Host header (DNS rebinding) with 403 JSON', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.port, path: '/api/topology', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect((await s.api('/api/topology')).status).toBe(200);
  });

  it('socket.io refuses a cross-origin browser', async () => {
    const msg = await new Promise<string>((resolve) => {
      const c = ioClient(s.url, { transports: ['polling'], reconnection: false, extraHeaders: { origin: 'http://evil.example' } });
      c.on('connect', () => {
        c.close();
        resolve('connected');
      });
      c.on('connect_error', (err) => {
        c.close();
        resolve(err.message);
      });
    });
    expect(msg).not.toBe('connected');
  });
});

/** A raw HTTP request to the test server (fetch cannot set Host, nor keep a body open). */
function rawRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('--insecure on loopback keeps the Host guard (DNS rebinding)', () => {
  it('decideBind: --insecure on loopback is allowed with a warning that it changes nothing there', () => {
    const r = decideBind({ host: '127.0.0.1', insecure: true });
    expect(r.ok).toBe(true);
    expect(r.ok && r.warning).toMatch(/changes nothing on 127\.0\.0\.1/);
  });

  for (
    const [what, options] of [
      ['--insecure', { insecure: true }],
      ['a token', { token: 'test-token-0123456789' }],
    ] as const
  ) {
    it(`with ${what} on 127.0.0.1: a foreign Host is refused on reads, changes and socket.io`, async () => {
      const s = await startTestServer(options);
      try {
        const auth: Record<string, string> = 'token' in options ? { authorization: `Bearer ${options.token}` } : {};
        expect((await rawRequest(s.port, { path: '/api/topology', headers: { ...auth, host: 'evil.example' } })).status).toBe(403);
        const change = await rawRequest(s.port, {
          method: 'POST',
          path: '/api/clock',
          headers: { ...auth, host: `evil.example:${s.port}`, 'content-type': 'application/json' },
          body: '{"mode":"paused"}',
        });
        expect(change.status).toBe(403);
        expect(s.session.clockState().mode).toBe('realtime');
        const polling = await rawRequest(s.port, { path: '/socket.io/?EIO=4&transport=polling', headers: { ...auth, host: 'evil.example' } });
        expect(polling.status).toBe(403);
        // the loopback names still answer
        expect((await rawRequest(s.port, { path: '/api/topology', headers: { ...auth, host: `localhost:${s.port}` } })).status).toBe(200);
      } finally {
        await s.close();
      }
    });
  }
});

describe('state-changing requests: same origin, and a JSON body or X-Vswitch-Lab (CSRF)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ clockMode: 'step' });
  });
  afterAll(async () => {
    await s.close();
  });

  it('POST /api/clock/step with no body and no header (a form or a no-cors fetch from any page) -> 403; nothing stepped', async () => {
    await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: 'ffffffffffff005056a100010806' + '00'.repeat(46) } } });
    const before = s.session.clockState();
    expect(before.next).not.toBeNull();
    const bare = await s.api('/api/clock/step', { method: 'POST' });
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { error: string }).error).toMatch(/X-Vswitch-Lab/);
    const form = await s.api('/api/clock/step', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"count":1}' });
    expect([403, 415]).toContain(form.status);
    expect(s.session.clockState()).toEqual(before);
    // the lab's own clients: the header, or a JSON body
    const withHeader = await s.api('/api/clock/step', { method: 'POST', headers: { 'x-vswitch-lab': '1' } });
    expect(withHeader.status).toBe(200);
    expect(((await withHeader.json()) as { stepped: number }).stepped).toBe(1);
    expect((await s.api('/api/clock/step', { method: 'POST', json: {} })).status).toBe(200);
  });

  it('DELETE /api/capture needs the header too', async () => {
    expect((await s.api('/api/capture', { method: 'DELETE' })).status).toBe(403);
    expect((await s.api('/api/capture', { method: 'DELETE', headers: { 'x-vswitch-lab': '1' } })).status).toBe(200);
  });

  it('a foreign Origin is refused even with a JSON body; the server\'s own origin is accepted', async () => {
    const foreign = await s.api('/api/clock', { method: 'POST', headers: { origin: 'http://evil.example' }, json: { mode: 'paused' } });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toMatch(/cross-origin/);
    const otherPort = await s.api('/api/clock', { method: 'POST', headers: { origin: `http://127.0.0.1:${s.port + 1}` }, json: { mode: 'paused' } });
    expect(otherPort.status).toBe(403);
    expect(s.session.clockState().mode).toBe('step');
    const own = await s.api('/api/clock', { method: 'POST', headers: { origin: `http://127.0.0.1:${s.port}` }, json: { mode: 'paused' } });
    expect(own.status).toBe(200);
    expect(s.session.clockState().mode).toBe('paused');
    // reads are not state changes: no header needed
    expect((await s.api('/api/clock')).status).toBe(200);
  });
});

describe('bodies and the rate limit', () => {
  it('a chunked body over the limit is answered 413 as soon as it passes the limit, not after it ends', async () => {
    const s = await startTestServer();
    try {
      // 80 KB of a body that never ends: the answer must come while the request is still open
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        let answered = false;
        const req = request(
          { host: '127.0.0.1', port: s.port, method: 'POST', path: '/api/frames', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
          (r) => {
            answered = true;
            let body = '';
            r.setEncoding('utf8');
            r.on('data', (c: string) => (body += c));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
          },
        );
        req.on('error', (err) => {
          if (!answered) reject(err);
        });
        req.write('{"from":"' + 'x'.repeat(80 * 1024));
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'request body too large', details: { limit: 64 * 1024 } });
      expect(s.injected()).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('an announced Content-Length over the limit is refused before any of the body is read', async () => {
    const s = await startTestServer();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: s.port, method: 'POST', path: '/api/frames', headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) } },
          (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('{'); // and never the rest
      });
      expect(status).toBe(413);
    } finally {
      await s.close();
    }
  });

  it('the rate limit counts frames: a send of count 1000 takes 1000 from the frame bucket', async () => {
    const s = await startTestServer({ clockMode: 'paused', rateLimit: { burst: 100, perSecond: 0.001, frameBurst: 1500, framesPerSecond: 0.001 } });
    try {
      const send = (count: number) => s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: 'ffffffffffff005056a100010806' + '00'.repeat(46) }, count } });
      expect((await send(1000)).status).toBe(200);
      const refused = await send(1000);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      expect((await send(400)).status).toBe(200);
      expect(s.injected()).toBe(1400);
    } finally {
      await s.close();
    }
  });
});

describe('JSON bodies', () => {
  it('an empty JSON body reads as {} (POST /api/clock/step with the JSON header and no bytes steps once)', async () => {
    const s = await startTestServer({ clockMode: 'step' });
    try {
      await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: 'ffffffffffff005056a100010806' + '00'.repeat(46) } } });
      const res = await s.api('/api/clock/step', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '0' } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { stepped: number }).stepped).toBe(1);
      const bad = await s.api('/api/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"realtime"' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe('malformed JSON body');
    } finally {
      await s.close();
    }
  });
});
