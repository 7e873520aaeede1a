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
