/**
 * How an event names its place and its frame, in words (no DOM: shared by the event list, the
 * details pane and the player, and unit-tested without a browser).
 */
import type { TraceEventJson } from './model.js';

/** `web-01:eth0`, `esxi-01:vSwitch0`; a physical switch's lookup (port = node) is just `tor-1`, not `tor-1:tor-1`. */
export function eventIface(e: Pick<TraceEventJson, 'node' | 'port'>): string {
  if (e.port === undefined || e.port === '') return e.node ?? '';
  if (e.port.includes(':') || e.node === undefined || e.port === e.node) return e.port;
  return `${e.node}:${e.port}`;
}

/** ` · frame 12 copy 3` — or nothing for an event of no frame (a change, a failover: frame id 0). */
export function frameRef(e: Pick<TraceEventJson, 'frameId' | 'copyId'>): string {
  if (!e.frameId) return '';
  return ` · frame ${e.frameId}${e.copyId !== undefined ? ` copy ${e.copyId}` : ''}`;
}
