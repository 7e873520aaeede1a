/**
 * Runtime changes of the running lab (the topology file is not changed; GET /api/topology shows
 * the changed topology):
 * POST /api/changes       one RuntimeChange (src/topology/runtime-change.ts): link, vnic-connect,
 *                         effective-mac, portgroup, vswitch-policy, uplink-add, uplink-remove, migrate
 *                         200 {ok: true, change, rarps} | 400 schema-invalid | 409 {error: reason, details: {change}}
 * POST /api/links/state   {iface, up}                       a cable up or down (both ends)
 * POST /api/vnics/state   {iface, connected?, mac?}         connect/disconnect a vNIC, change its effective MAC (S2)
 * The last two are the older form of `link`, `vnic-connect` and `effective-mac`: they answer the
 * interface as GET /api/interfaces shows it, and a refused change is a 400 as it always was.
 * Every change goes through LabSession.applyChange: atomic, and told to socket.io clients.
 */
import { Router } from 'express';
import { z } from 'zod';
import { RuntimeChange, type RuntimeChangeDoc } from '../../topology/runtime-change.js';
import { InterfaceRef, Mac } from '../../topology/schema.js';
import type { ChangeResponse } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';
import type { ServerLab } from '../lab-contract.js';
import { toJsonValue } from '../trace-json.js';

const LinkBody = z.object({ iface: InterfaceRef, up: z.boolean() }).strict();
const VnicBody = z
  .object({ iface: InterfaceRef, connected: z.boolean().optional(), mac: Mac.optional() })
  .strict()
  .refine((b) => b.connected !== undefined || b.mac !== undefined, { message: 'give connected, mac or both' });

function interfaceInfo(lab: ServerLab, iface: string): unknown {
  const all = lab.interfaces();
  return Array.isArray(all) ? toJsonValue(all.find((i: { id?: unknown }) => i.id === iface) ?? null) : null;
}

export function runtimeRoutes(ctx: AppContext): Router {
  const r = Router();
  const s = ctx.session;

  /** Applies `change`; a refusal is an ApiError(`status`) naming the change. */
  const apply = (change: RuntimeChangeDoc, status: number): number => {
    const out = s.applyChange(change);
    if (!out.ok) throw new ApiError(status, out.reason, { change });
    return out.rarps;
  };

  // each change re-validates the whole topology: rate limited like the other requests that make the lab work
  r.post('/changes', ctx.frameLimiter.middleware(), (req, res) => {
    const change = parseBody(RuntimeChange, req.body, 'runtime change');
    const rarps = apply(change, 409);
    const out: ChangeResponse = { ok: true, change, rarps };
    res.json(out);
  });

  r.post('/links/state', (req, res) => {
    const body = parseBody(LinkBody, req.body);
    s.requireInterface(body.iface);
    apply({ kind: 'link', iface: body.iface, up: body.up }, 400);
    res.json(interfaceInfo(s.lab, body.iface));
  });

  r.post('/vnics/state', (req, res) => {
    const body = parseBody(VnicBody, req.body);
    s.requireInterface(body.iface);
    // MAC first: only a VM vNIC's MAC can change, and a vNIC can always be (dis)connected, so
    // when the MAC is refused nothing changed, and when it was applied the connect cannot fail.
    if (body.mac !== undefined) apply({ kind: 'effective-mac', iface: body.iface, mac: body.mac }, 400);
    if (body.connected !== undefined) apply({ kind: 'vnic-connect', iface: body.iface, connected: body.connected }, 400);
    res.json(interfaceInfo(s.lab, body.iface));
  });

  return r;
}
