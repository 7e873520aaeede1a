/**
 * The JSON Schema of the topology file, generated from the zod schema, for editors: a file that
 * starts with `"$schema": "./topology.schema.json"` gets completion, hover text and checks of
 * shapes, ranges and formats as it is typed. References between objects are beyond JSON Schema;
 * `vswitch-lab validate` checks those. `npm run schema` writes topologies/topology.schema.json.
 */
import { z } from 'zod';
import { Topology } from './schema.js';

/** A URN: stable, and not pretending to be fetchable (editors find the file through `$schema`). */
export const TOPOLOGY_SCHEMA_ID = 'urn:vswitch-lab:topology:v1';

export function topologyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Topology, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: TOPOLOGY_SCHEMA_ID,
    title: 'vswitch-lab topology',
    description:
      'A vswitch-lab topology: ESXi hosts with standard vSwitches, port groups and VMkernel adapters; VMs; physical switches, physical hosts and the links between them. Reference: docs/topology-format.md. Generated from src/topology/schema.ts by `npm run schema`; do not edit.',
    ...rest,
  };
}

/** The schema file's text, as committed (stable key order, trailing newline). */
export function topologyJsonSchemaText(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}
