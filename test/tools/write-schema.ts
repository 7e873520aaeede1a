/**
 * `npm run schema`: writes the JSON Schemas for editors from the zod schemas:
 * - topologies/topology.schema.json from src/topology/schema.ts (test/topology/json-schema.test.ts
 *   fails when it is stale);
 * - topologies/scenario.schema.json from src/topology/scenario.ts, both kinds of scenario file
 *   (test/topologies/scenario-schema.test.ts fails when it is stale).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { topologyJsonSchemaText } from '../../src/topology/json-schema.js';
import { scenarioJsonSchemaText } from '../../src/topology/scenario.js';

for (
  const [name, text] of [
    ['topology.schema.json', topologyJsonSchemaText()],
    ['scenario.schema.json', scenarioJsonSchemaText()],
  ] as const
) {
  const target = fileURLToPath(new URL(`../../topologies/${name}`, import.meta.url));
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
