/**
 * A real `serve` of a topology with attachments, as the CLI wires it (src/cli/serve-attachments.ts):
 * sockets opened first, the server on 127.0.0.1 with any free port, arrivals into its session in
 * real time. Not a test file itself.
 */
import { openServedAttachments, partitionStatus, type ServedAttachments } from '../../src/cli/serve-attachments.js';
import type { PartitionRun } from '../../src/attach/partition-plan.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { ValidateResult } from '../../src/topology/load.js';
import type { Lab } from '../../src/engine/index.js';

export interface ServedLab {
  server: RunningServer;
  served: ServedAttachments;
  close(): Promise<void>;
  /** the engine's Lab the server runs now (the server types it by its contract only) */
  lab(): Lab;
  /** GET from the API */
  get(path: string): Promise<Response>;
}

export async function serveWithAttachments(result: Extract<ValidateResult, { ok: true }>, partition?: PartitionRun): Promise<ServedLab> {
  const served = await openServedAttachments(result.topology, partition);
  if (!served) throw new Error('the topology declares no attachments');
  let server: RunningServer | undefined;
  const api = partitionStatus(served, () => server?.session);
  try {
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      initial: { result: { ...result, topology: served.topology }, source: 'attach-test' },
      createLab: served.createLab,
      ...(api ? { partition: api, capture: { frameIdsAsPacketIds: true } } : {}),
    });
  } catch (err) {
    await served.attachments.close();
    throw err;
  }
  served.useSession(server.session);
  return {
    server,
    served,
    lab: () => server.session.lab,
    get: (path) => fetch(new URL(path, server.url)),
    close: async () => {
      await Promise.all([server.close(), served.attachments.close()]);
    },
  };
}
