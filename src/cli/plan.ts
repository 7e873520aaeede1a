/**
 * `vswitch-lab plan <topology> (--partitions N | --group NAME=node,node ...) [--address NAME=IP]
 * [--port N] [--vni N] [-o plan.json]`: splits a lab into partitions that run as separate
 * processes (`vswitch-lab serve <topology> --plan plan.json --partition NAME`), joined by VXLAN
 * where cables are cut (docs/attachments.md). Prints the plan (or writes it with -o). Exit 2:
 * bad options, a topology that does not load, a plan that cannot be made.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from '../cli.js';
import { PlanError, planPartitions } from '../attach/partition-plan.js';
import { ipv4Error } from '../wire/ip.js';
import { CommandExit, UsageError, intOption, parseCommandArgs, withInputErrors } from './cli-args.js';
import { openTopologyArg } from './topology-arg.js';

const HELP = `usage: vswitch-lab plan <topology> (--partitions N | --group NAME=node,node ...) [options]

Assigns whole nodes (an ESXi host with its VMs, a physical switch, a physical host) to partitions,
cuts only the cables between partitions and gives each cut cable a VXLAN VNI. Run each partition
with: vswitch-lab serve <topology> --plan plan.json --partition NAME

options:
  --partitions N       N partitions, nodes assigned automatically by weight (p1, p2, ...)
  --group NAME=a,b     an explicit partition (repeat; every node in exactly one)
  --address NAME=IP    the address partition NAME binds and its peers send to (default 127.0.0.1);
                       a DNS name is resolved when the partitions start
  --port N             UDP port of the first partition; the i-th uses N+i (default 4789)
  --vni N              VNI of the first cut cable (default 1000)
  --silence S          a cut cable shows down after S seconds without a frame or hello from the
                       partition at its other end (default 3; hellos every S/3)
  -o, --output FILE    write the plan there (default: print it)
  -h, --help           this help`;

const OPTIONS = {
  partitions: { type: 'string' },
  group: { type: 'string', multiple: true },
  address: { type: 'string', multiple: true },
  port: { type: 'string' },
  vni: { type: 'string' },
  silence: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

function pairs(list: readonly string[] | undefined, option: string): Array<[string, string]> {
  return (list ?? []).map((g) => {
    const i = g.indexOf('=');
    if (i <= 0 || i === g.length - 1) throw new UsageError(`${option} is written NAME=value (got "${g}")`);
    return [g.slice(0, i), g.slice(i + 1)];
  });
}

function silenceOption(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n >= 0.1 && n <= 3600)) throw new UsageError(`--silence is 0.1 to 3600 seconds (got "${v}")`);
  return n;
}

export const command: Command = {
  run: (args) =>
    withInputErrors('plan', async () => {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, HELP);
      if (positionals.length !== 1) throw new UsageError('one topology, please');
      if ((values.partitions === undefined) === (values.group === undefined)) throw new UsageError('give --partitions N or --group NAME=nodes (not both)');
      const groups = pairs(values.group, '--group').map(([name, nodes]) => ({ name, nodes: nodes.split(',').filter((n) => n !== '') }));
      const addresses: Record<string, string> = {};
      for (const [name, ip] of pairs(values.address, '--address')) {
        // an IPv4 address, or a DNS name resolved when the partition starts (Kubernetes pods)
        if (ipv4Error(ip, false) && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(ip)) {
          throw new UsageError(`--address ${name}=${ip}: neither an IPv4 address nor a DNS name`);
        }
        addresses[name] = ip;
      }
      const { topology } = await openTopologyArg(positionals[0]!);
      let plan;
      try {
        plan = planPartitions(topology, {
          ...(groups.length > 0 ? { groups } : { count: intOption(values.partitions!, '--partitions', 1, 1000) }),
          addresses,
          ...(values.port !== undefined ? { basePort: intOption(values.port, '--port', 1, 65535 - 1000) } : {}),
          ...(values.vni !== undefined ? { baseVni: intOption(values.vni, '--vni', 1, 0xffffff - 100_000) } : {}),
          ...(values.silence !== undefined ? { silenceSeconds: silenceOption(values.silence) } : {}),
        });
      } catch (err) {
        if (err instanceof PlanError) throw new CommandExit(2, [`vswitch-lab plan: ${err.message}`]);
        throw err;
      }
      const text = `${JSON.stringify(plan, null, 2)}\n`;
      if (values.output !== undefined) {
        writeFileSync(values.output, text);
        console.log(`vswitch-lab plan: ${plan.partitions.length} partitions, ${plan.cuts.length} cut cables -> ${values.output}`);
        for (const p of plan.partitions) console.log(`  ${p.name} (${p.address}:${p.port}): ${p.nodes.join(', ')}`);
      } else process.stdout.write(text);
      return 0;
    }),
};
