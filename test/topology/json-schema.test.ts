import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { topologyJsonSchema, topologyJsonSchemaText } from '../../src/topology/json-schema.js';
import { TOPOLOGIES } from './helpers.js';

describe('JSON Schema for editors', () => {
  it('topologies/topology.schema.json is up to date (refresh: npm run schema)', () => {
    const committed = readFileSync(`${TOPOLOGIES}topology.schema.json`, 'utf8');
    expect(committed === topologyJsonSchemaText(), 'topologies/topology.schema.json is stale: run `npm run schema`').toBe(true);
  });

  it('has title, $id, description and the input shape (defaults make fields optional)', () => {
    const s = topologyJsonSchema() as { title: string; $id: string; description: string; required: string[]; properties: Record<string, unknown> };
    expect(s.title).toBe('vswitch-lab topology');
    expect(s.$id).toMatch(/^urn:/);
    expect(s.description).toContain('docs/topology-format.md');
    expect(s.required.sort()).toEqual(['name', 'version']);
    expect(Object.keys(s.properties)).toContain('physicalSwitches');
  });

  it('MAC and IPv4 fields carry a pattern an editor can check', () => {
    const text = topologyJsonSchemaText();
    const schema = JSON.parse(text) as { properties: { vms: { items: { properties: { nics: { items: { properties: Record<string, { pattern?: string }> } } } } } } };
    const nic = schema.properties.vms.items.properties.nics.items.properties;
    const mac = new RegExp(nic.mac!.pattern!);
    expect(['00:50:56:a1:00:01', '00-50-56-A1-00-01', '0050.56a1.0001'].every((m) => mac.test(m))).toBe(true);
    expect(mac.test('00:50:56:a1:00')).toBe(false);
    const ip = new RegExp(nic.ipv4!.pattern!);
    expect(ip.test('10.0.0.5/24')).toBe(true);
    expect(ip.test('10.0.0.5')).toBe(false);
  });
});
