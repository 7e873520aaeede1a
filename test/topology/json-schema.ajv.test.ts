/**
 * The published JSON Schemas (topologies/topology.schema.json, topologies/scenario.schema.json)
 * checked by a real JSON Schema validator (ajv, draft-07, strict mode), the way an editor uses
 * them: every example validates, the schema never rejects a document the loader accepts (an
 * editor must not underline a good file), and the plain structural mistakes are caught by both.
 * Cross-references (a port group naming a vSwitch that exists, …) are the loader's alone.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/load.js';
import { EXAMPLES, TOPOLOGIES, example, mutate, mutations, type Doc } from './helpers.js';

const ajv = new Ajv({ strict: true, allErrors: true });
const schemaOf = (name: string): ValidateFunction => ajv.compile(JSON.parse(readFileSync(`${TOPOLOGIES}${name}`, 'utf8')) as object);
const topologySchema = schemaOf('topology.schema.json');
const scenarioSchema = schemaOf('scenario.schema.json');

const exampleFiles = readdirSync(TOPOLOGIES).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
const scenarioFiles = readdirSync(`${TOPOLOGIES}scenarios`).filter((f) => f.endsWith('.json'));

const errorsOf = (v: ValidateFunction): string => ajv.errorsText(v.errors);
const loads = (doc: Doc): boolean => loadTopologyText(JSON.stringify(doc, null, 2)).ok;

describe('JSON Schemas under a JSON Schema validator (ajv)', () => {
  it('finds the example topologies and scenario files', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(EXAMPLES.length);
    expect(scenarioFiles.length).toBeGreaterThan(0);
  });

  it.each(exampleFiles)('topologies/%s validates against topology.schema.json', (file) => {
    const doc = JSON.parse(readFileSync(`${TOPOLOGIES}${file}`, 'utf8'));
    expect(topologySchema(doc), errorsOf(topologySchema)).toBe(true);
  });

  it.each(scenarioFiles)('topologies/scenarios/%s validates against scenario.schema.json', (file) => {
    const doc = JSON.parse(readFileSync(`${TOPOLOGIES}scenarios/${file}`, 'utf8'));
    expect(scenarioSchema(doc), errorsOf(scenarioSchema)).toBe(true);
  });

  it('never rejects a mutated example the loader accepts (property)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLES), mutations, (name, muts) => {
        const doc = mutate(example(name), muts);
        if (!loads(doc)) return;
        accepted++;
        expect(topologySchema(doc), `${JSON.stringify(muts)}: ${errorsOf(topologySchema)}`).toBe(true);
      }),
      { numRuns: 400 },
    );
    // the property said something: some mutations keep a document valid (a changed name, a deleted optional field)
    expect(accepted).toBeGreaterThan(10);
  });

  const structural: [string, (d: Doc) => void][] = [
    ['version 2', (d) => (d.version = 2)],
    ['name is a number', (d) => (d.name = 5)],
    ['no name', (d) => delete d.name],
    ['hosts is an object', (d) => (d.hosts = {})],
    ['an unknown top-level field', (d) => (d.vSwitches = [])],
    ['a MAC that is not one', (d) => (d.vms[0].nics[0].mac = '00:50:56:zz:00:01')],
    ['VLAN ID 4096', (d) => (d.hosts[0].vswitches[0].portGroups[0].vlan = 4096)],
    ['an IPv4 address without its prefix', (d) => (d.vms[0].nics[0].ipv4 = ['10.0.10.11'])],
    ['a physical switch port mode that does not exist', (d) => (d.physicalSwitches[0].ports[0].mode = 'hybrid')],
    ['a link without its b end', (d) => delete d.links[0].b],
  ];

  it.each(structural)('the schema and the loader both reject %s', (_what, change) => {
    const doc = example('default');
    expect(topologySchema(doc), errorsOf(topologySchema)).toBe(true);
    change(doc);
    expect(loads(doc)).toBe(false);
    expect(topologySchema(doc)).toBe(false);
  });
});
