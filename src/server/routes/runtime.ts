/**
 * Runtime changes of the running lab (the topology file is not changed):
 * POST /api/links/state   {iface, up}                       a cable up or down (both ends)
 * POST /api/vnics/state   {iface, connected?, mac?}         connect/disconnect a vNIC, change its effective MAC (S2)
 * Each answers the interface as GET /api/interfaces shows it, and tells socket.io clients.
 */
import { Router } from 'express';
import { z } from 'zod';
import { InterfaceRef, Mac } from '../../topology/schema.js';
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

function need<K extends 'setLinkState' | 'setConnected' | 'setEffectiveMac'>(lab: ServerLab, name: K): NonNullable<ServerLab[K]> {
  const f = lab[name];
  if (typeof f !== 'function') throw new ApiError(501, `this lab cannot ${name} yet`);
  return f.bind(lab) as NonNullable<ServerLab[K]>;
}

export function runtimeRoutes(ctx: AppContext): Router {
  const r = Router();
  const s = ctx.session;

  r.post('/links/state', (req, res) => {
    const body = parseBody(LinkBody, req.body);
    s.requireInterface(body.iface);
    const lab = s.lab;
    need(lab, 'setLinkState')(body.iface, body.up);
    s.notify({ kind: 'link', iface: body.iface, up: body.up });
    res.json(interfaceInfo(lab, body.iface));
  });

  r.post('/vnics/state', (req, res) => {
    const body = parseBody(VnicBody, req.body);
    s.requireInterface(body.iface);
    const lab = s.lab;
    // check both before changing either: a refused request changes nothing
    const setConnected = body.connected !== undefined ? need(lab, 'setConnected') : undefined;
    const setMac = body.mac !== undefined ? need(lab, 'setEffectiveMac') : undefined;
    if (setMac && body.mac !== undefined) setMac(body.iface, body.mac);
    if (setConnected && body.connected !== undefined) setConnected(body.iface, body.connected);
    if (body.connected !== undefined) s.notify({ kind: 'vnic-connected', iface: body.iface, connected: body.connected });
    if (body.mac !== undefined) s.notify({ kind: 'vnic-mac', iface: body.iface, mac: body.mac });
    res.json(interfaceInfo(lab, body.iface));
  });

  return r;
}
