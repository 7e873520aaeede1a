/**
 * socket.io connection to the server: `lab:hello` once, then `lab:update` batches (at most ~20 a
 * second). Reconnects by itself; the status is shown in the header.
 */
import { io, type Socket } from 'socket.io-client';
import { apiToken, setLiveClient } from './api.js';
import type { LiveHello, LiveUpdate } from './model.js';

export interface LiveHandlers {
  hello(h: LiveHello): void;
  update(u: LiveUpdate): void;
  status(s: 'connecting' | 'live' | 'offline', detail?: string): void;
}

export function connectLive(handlers: LiveHandlers): Socket {
  const token = apiToken();
  const socket = io({ path: '/socket.io', transports: ['websocket', 'polling'], ...(token ? { auth: { token } } : {}) });
  handlers.status('connecting');
  socket.on('connect', () => {
    setLiveClient(socket.id);
    handlers.status('live');
  });
  socket.on('disconnect', (reason) => {
    setLiveClient(undefined);
    handlers.status('offline', reason);
  });
  socket.on('connect_error', (err) => handlers.status('offline', err.message));
  socket.on('lab:hello', (h: LiveHello) => handlers.hello(h));
  socket.on('lab:update', (u: LiveUpdate) => handlers.update(u));
  return socket;
}
