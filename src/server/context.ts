/** What the route handlers share: the session and the layers the server calls. */
import type { LabSession } from './lab-session.js';
import type { RateLimiter } from './rate-limit.js';
import type { TopologyValidator } from './topology-validator.js';

export interface AppContext {
  session: LabSession;
  validator: TopologyValidator;
  /** frame sends, pings, explains */
  frameLimiter: RateLimiter;
  /** directory of example topologies (`<name>.json`) */
  examplesDir: string;
  /** real-time mode: how long POST /api/frames waits for the frame's events to settle */
  sendSettleMs: number;
  /** real-time mode: how long POST /api/ping waits for the ping to end before answering 202 */
  pingWaitMs: number;
  /** max bytes buffered for one live capture stream before packets are dropped (and counted) */
  liveCaptureBufferBytes: number;
}
