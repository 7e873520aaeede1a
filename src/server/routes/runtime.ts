/**
 * Runtime changes of the running lab (the topology file is not changed; GET /api/topology shows
 * the changed topology):
 * POST /api/changes       one RuntimeChange (src/topology/runtime-change.ts): link, vnic-connect,
 *                         effective-mac, portgroup, vswitch-policy, uplink-add, uplink-remove, migrate
 *                         200 {ok: true, change, rarps}
 * POST /api/links/state   {iface, up}                       a cable up or down (both ends)
 * POST /api/vnics/state   {iface, connected?, mac?}         connect/disconnect a vNIC, change its effective MAC (S2)
 * The last two are shorthands for `link`, `vnic-connect` and `effective-mac` that answer the
 * interface as GET /api/interfaces shows it. All three answer alike when they refuse: 400 for a
 * body that does not parse or an interface the topology does not have (with `similar` names),
 * 409 {error: reason, details: {change}} when the lab refuses the change (nothing changed), and
 * 429 past the rate limit: each change re-validates the whole topology.
 * Every change goes through LabSession.applyChange: atomic, and told to socket.io clients.
 */
import { Router } from 'express';
import { z } from 'zod';
import { RuntimeChange, type RuntimeChangeDoc } from '../../topology/runtime-change.js';
import { InterfaceRef, Mac } from '../../topology/schema.js';
import type { ChangeResponse } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';
import type { InterfaceInfo, Lab } from '../../engine/index.js';
import { plainJson } from '../trace-json.js';

const LinkBody = z.object({ iface: InterfaceRef, up: z.boolean() }).strict();
const VnicBody = z
  .object({ iface: InterfaceRef, connected: z.boolean().optional(), mac: Mac.optional() })
  .strict()
  .refine((b) => b.connected !== undefined || b.mac !== undefined, { message: 'give connected, mac or both' });

function interfaceInfo(lab: Lab, iface: string): InterfaceInfo | null {
  return plainJson(lab.interfaces().find((i) => i.id === iface) ?? null);
}

export function runtimeRoutes(ctx: AppContext): Router {
  const r = Router();
  const s = ctx.session;

  /** Applies `change`; an unknown interface is a 400 naming near ones, a refusal a 409 naming the change. */
  const apply = (change: RuntimeChangeDoc): number => {
    if ('iface' in change) s.requireInterface(change.iface);
    const out = s.applyChange(change);
    if (!out.ok) throw new ApiError(409, out.reason, { change });
    return out.rarps;
  };
  const limit = ctx.frameLimiter.middleware();

  r.post('/changes', limit, (req, res) => {
    const change = parseBody(RuntimeChange, req.body, 'runtime change');
    const rarps = apply(change);
    const out: ChangeResponse = { ok: true, change, rarps };
    res.json(out);
  });

  r.post('/links/state', limit, (req, res) => {
    const body = parseBody(LinkBody, req.body);
    apply({ kind: 'link', iface: body.iface, up: body.up });
    res.json(interfaceInfo(s.lab, body.iface));
  });

  r.post('/vnics/state', limit, (req, res) => {
    const body = parseBody(VnicBody, req.body);
    // MAC first: only a VM vNIC's MAC can change, and a vNIC can always be (dis)connected, so
    // when the MAC is refused nothing changed, and when it was applied the connect cannot fail.
    if (body.mac !== undefined) apply({ kind: 'effective-mac', iface: body.iface, mac: body.mac });
    if (body.connected !== undefined) apply({ kind: 'vnic-connect', iface: body.iface, connected: body.connected });
    res.json(interfaceInfo(s.lab, body.iface));
  });

  return r;
}
