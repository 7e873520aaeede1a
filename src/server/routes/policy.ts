/**
 * GET /api/policy?host=H&vswitch=V      effective policy of a vSwitch
 * GET /api/policy?host=H&portGroup=P    effective policy of a port group (and the vSwitch it is on)
 * -> {host, vswitch, portGroup?, policy}: every value with where it comes from ('default',
 * 'topology-defaults', 'vswitch', 'portgroup'; src/topology/policy.ts), on the topology as it runs
 * now (runtime changes included). 400 when the query is incomplete or ambiguous; 404 naming what
 * exists when the host, vSwitch or port group does not.
 */
import { Router, type Request } from 'express';
import { effectivePortGroupPolicy, effectiveVSwitchPolicy } from '../../topology/policy.js';
import type { PolicyResponse } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';

function one(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new ApiError(400, `${name} must be given once, not empty`);
  return v;
}

const USAGE = 'GET /api/policy?host=<host>&vswitch=<name> or ?host=<host>&portGroup=<name>';

export function policyRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get('/policy', (req, res) => {
    const host = one(req, 'host');
    const vswitch = one(req, 'vswitch');
    const portGroup = one(req, 'portGroup');
    if (host === undefined) throw new ApiError(400, 'host is missing', { usage: USAGE });
    if ((vswitch === undefined) === (portGroup === undefined)) throw new ApiError(400, 'give either vswitch or portGroup (one of them)', { usage: USAGE });
    const topology = ctx.session.state.topology;
    const h = topology.hosts.find((x) => x.name === host);
    if (!h) throw new ApiError(404, `no ESXi host named "${host}"`, { hosts: topology.hosts.map((x) => x.name) });
    let out: PolicyResponse;
    if (vswitch !== undefined) {
      const policy = effectiveVSwitchPolicy(topology, host, vswitch);
      if (!policy) throw new ApiError(404, `${host} has no vSwitch "${vswitch}"`, { vswitches: h.vswitches.map((v) => v.name) });
      out = { host, vswitch, policy };
    } else {
      const pg = portGroup!;
      const vs = h.vswitches.find((v) => v.portGroups.some((g) => g.name === pg));
      const policy = effectivePortGroupPolicy(topology, host, pg);
      if (!vs || !policy) throw new ApiError(404, `${host} has no port group "${pg}"`, { portGroups: h.vswitches.flatMap((v) => v.portGroups.map((g) => g.name)) });
      out = { host, vswitch: vs.name, portGroup: pg, policy };
    }
    res.json(out);
  });
  return r;
}
