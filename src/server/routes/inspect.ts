/**
 * Read-only views of the running lab:
 * GET /api/interfaces[/:iface]             the Lab's interfaces (one: 404 when unknown)
 * GET /api/counters[/:iface]               per-interface counters
 * GET /api/mac-tables[/:switch]            physical switches' MAC tables (P1)
 * GET /api/arp[/:iface]                    endpoints' ARP caches (E1)
 * GET /api/neighbours/:iface               an endpoint's IPv6 neighbour cache (E4)
 * GET /api/esxcli/vswitches?host=          vSwitch list (O3)
 * GET /api/esxcli/portgroups?host=         port group list (O3)
 * GET /api/esxcli/vmknics?host=            VMkernel interface list (O3)
 */
import { Router, type Request } from 'express';
import { LabError } from '../../engine/index.js';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';
import { portGroupList, vmknicList, vswitchList } from '../esxcli-views.js';
import { plainJson } from '../trace-json.js';

function hostParam(ctx: AppContext, req: Request): string | undefined {
  const h = req.query.host;
  if (h === undefined) return undefined;
  if (typeof h !== 'string') throw new ApiError(400, 'host must be given once');
  if (!ctx.session.state.topology.hosts.some((x) => x.name === h)) throw new ApiError(404, `no ESXi host named "${h}"`);
  return h;
}

export function inspectRoutes(ctx: AppContext): Router {
  const r = Router();
  const s = ctx.session;

  r.get('/interfaces', (_req, res) => {
    res.json(plainJson(s.lab.interfaces()));
  });

  r.get('/interfaces/:iface', (req, res) => {
    const iface = s.requireInterface(req.params.iface, 404);
    res.json(plainJson(s.lab.interfaces().find((i) => i.id === iface)));
  });

  r.get('/counters', (_req, res) => {
    res.json(plainJson(s.lab.allCounters()));
  });

  r.get('/counters/:iface', (req, res) => {
    const iface = s.requireInterface(req.params.iface, 404);
    res.json(plainJson(s.lab.counters(iface)));
  });

  r.get('/mac-tables', (_req, res) => {
    const out: Record<string, unknown> = {};
    for (const sw of s.state.topology.physicalSwitches) out[sw.name] = plainJson(s.lab.macTable(sw.name));
    res.json(out);
  });

  r.get('/mac-tables/:switch', (req, res) => {
    const name = req.params.switch;
    if (!s.state.topology.physicalSwitches.some((x) => x.name === name)) throw new ApiError(404, `no physical switch named "${name}"`);
    res.json(plainJson(s.lab.macTable(name)));
  });

  r.get('/arp', (_req, res) => {
    const t = s.state.topology;
    const out: Record<string, unknown> = {};
    const ifaces = [
      ...t.vms.flatMap((vm) => vm.nics.map((n) => `${vm.name}:${n.name}`)),
      ...t.hosts.flatMap((h) => h.vmkernel.map((k) => `${h.name}:${k.name}`)),
      ...t.physicalHosts.flatMap((ph) => ph.nics.map((n) => `${ph.name}:${n.name}`)),
    ];
    for (const i of ifaces) {
      try {
        out[i] = plainJson(s.lab.arpCache(i));
      } catch (err) {
        if (!(err instanceof LabError)) throw err; // not an endpoint in this lab: left out
      }
    }
    res.json(out);
  });

  r.get('/arp/:iface', (req, res) => {
    const iface = s.requireInterface(req.params.iface, 404);
    res.json(plainJson(s.lab.arpCache(iface)));
  });

  r.get('/neighbours/:iface', (req, res) => {
    const iface = s.requireInterface(req.params.iface, 404);
    res.json(plainJson(s.lab.neighbours(iface)));
  });

  r.get('/esxcli/vswitches', (req, res) => {
    res.json(vswitchList(s.state.topology, hostParam(ctx, req)));
  });

  r.get('/esxcli/portgroups', (req, res) => {
    res.json(portGroupList(s.state.topology, hostParam(ctx, req)));
  });

  r.get('/esxcli/vmknics', (req, res) => {
    res.json(vmknicList(s.state.topology, hostParam(ctx, req)));
  });

  return r;
}
