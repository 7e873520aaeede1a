/**
 * `npm run schema`: writes topologies/topology.schema.json from the zod schema
 * (src/topology/schema.ts). test/topology/json-schema.test.ts fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { topologyJsonSchemaText } from '../src/topology/json-schema.js';

const target = fileURLToPath(new URL('../topologies/topology.schema.json', import.meta.url));
writeFileSync(target, topologyJsonSchemaText());
console.log(`wrote ${target}`);
