import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REASONS, REASON_CODES } from '../../src/engine/reasons.js';
import { RULES, RULE_IDS, isRuleId, ruleTitle } from '../../src/engine/rules.js';

const doc = (file: string) => readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const anchors = (file: string) => new Set([...doc(file).matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));

describe('the rule table (src/engine/rules.ts) and docs/vss-behaviour.md', () => {
  it('holds exactly the rule IDs the document states', () => {
    const text = doc('vss-behaviour.md');
    // a rule is stated as a bullet "- **F1 ..." or, alone in its section, in the heading "(rule Q1)"
    const stated = [...text.matchAll(/^- \*\*([A-Z]\d+)\b/gm), ...text.matchAll(/^#+ .*\(rule ([A-Z]\d+)\)/gm)].map((m) => m[1]!);
    expect(new Set(stated).size).toBe(stated.length);
    const inTable = RULE_IDS.filter((id) => RULES[id].doc.startsWith('vss-behaviour.md#'));
    expect([...stated].sort()).toEqual([...inTable].sort());
  });

  it('links every rule to a section that exists, and titles it', () => {
    for (const id of RULE_IDS) {
      const [file, anchor] = RULES[id].doc.split('#') as [string, string];
      expect(anchors(file), `${id}: ${RULES[id].doc}`).toContain(anchor);
      expect(ruleTitle(id)).toBe(RULES[id].title);
      expect(RULES[id].title, id).not.toBe('');
    }
    expect(ruleTitle('Z9')).toBe('');
    expect(ruleTitle('V1', 'VLAN_MISMATCH')).toMatch(/^Guest tags are accepted only on VLAN 4095/);
  });

  it('cites only rules of the table in drop reasons', () => {
    for (const code of REASON_CODES) expect(isRuleId(REASONS[code].rule), code).toBe(true);
  });
});
