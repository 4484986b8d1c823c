import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document } from 'yaml';
import { parseIntent, readIntent } from './intent-file.js';
import {
  deleteCrownJewel,
  deleteInventoryItem,
  deleteRules,
  deleteZone,
  IntentNotFoundError,
  renderEdit,
  upsertCrownJewel,
  upsertInventoryItem,
  upsertRules,
  upsertZone,
  type EditResult,
} from './intent-edit.js';
import type { AllowRule, Intent, InventoryItem, Zone } from './model.js';

const ACME = readFileSync(new URL('./testdata/acme.yaml', import.meta.url), 'utf8');
/** The example without its rules (which protect `data` and `customer-db`, so those cannot go). */
const NO_RULES = ACME.slice(0, ACME.indexOf('rules:'));

/** Applies `fn` to a copy of `text`'s Document and renders it; the result must be a valid intent. */
function edit(text: string, fn: (doc: Document) => EditResult): { text: string; result: EditResult } {
  const parsed = parseIntent(text);
  if (parsed.error !== null) throw parsed.error;
  const doc = parsed.doc.clone();
  const result = fn(doc);
  const out = renderEdit(parsed, doc, result.ops);
  expect(parseIntent(out).error).toBeNull();
  return { text: out, result };
}

/** The text between two marker lines (inclusive of `from`, exclusive of `to`). */
function section(text: string, from: string, to: string): string {
  const a = text.indexOf(from);
  const b = text.indexOf(to, a);
  expect(a).toBeGreaterThanOrEqual(0);
  expect(b).toBeGreaterThan(a);
  return text.slice(a, b);
}

describe('edits keep comments, order and untouched text', () => {
  it('changing one field of a zone changes only that line', () => {
    const { text, result } = edit(ACME, (doc) =>
      upsertZone(doc, { name: 'prod', kind: 'dmz', cidrs: ['10.0.0.0/22', 'fd00:100::/32'], description: 'production web and API tier' }),
    );
    expect(result).toMatchObject({ created: 0, updated: 1 });
    // The comment on the changed line stays (its spacing is normalised); every other byte is as it was.
    expect(text).toBe(ACME.replace('    kind: internal  # our own servers\n', '    kind: dmz # our own servers\n'));
  });

  it('changing a list keeps the entries that stay, with their comments, and the rest of the file', () => {
    const { text } = edit(ACME, (doc) => upsertZone(doc, { name: 'data', kind: 'internal', cidrs: ['10.0.2.0/24', '10.0.3.0/24'] }));
    const before = ACME.split('  - name: data\n');
    const after = text.split('  - name: data\n');
    expect(after[0]).toBe(before[0]); // everything above the zone, byte for byte
    expect(section(text, '  - name: data', '  - name: partners')).toBe(
      '  - name: data\n    kind: internal\n    cidrs:\n      - 10.0.2.0/24 # databases\n      - 10.0.3.0/24\n\n',
    );
    expect(text.slice(text.indexOf('  - name: partners'))).toBe(ACME.slice(ACME.indexOf('  - name: partners'))); // and below
    expect(readIntent(text).zones[1]).toEqual({ name: 'data', kind: 'internal', cidrs: ['10.0.2.0/24', '10.0.3.0/24'] });
  });

  it('adds a new item at the end of its list, in model field order, styled like its neighbours', () => {
    const { text, result } = edit(ACME, (doc) =>
      upsertZone(doc, { description: "'; DROP TABLE flows; --", cidrs: ['10.0.9.0/24'], kind: 'management', name: 'mgmt' }),
    );
    expect(result).toMatchObject({ created: 1, ops: [{ op: 'append', section: 'zones', count: 1 }] });
    const added = '\n  - name: mgmt\n    kind: management\n    cidrs: [10.0.9.0/24]\n    description: "\'; DROP TABLE flows; --"\n';
    const at = ACME.indexOf('\ncrown_jewels:');
    expect(text).toBe(`${ACME.slice(0, at)}${added}${ACME.slice(at)}`);
    expect(readIntent(text).zones[3]!.description).toBe("'; DROP TABLE flows; --");
  });

  it('a list of one-line items gets a one-line item', () => {
    const src = 'inventory:\n  - {name: a, address: 10.0.0.1}\n  - {name: b, address: 10.0.0.2}  # b\n# end\n';
    const { text } = edit(src, (doc) => upsertInventoryItem(doc, { name: 'c', address: '10.0.0.3', role: 'web' }));
    expect(text).toBe('inventory:\n  - {name: a, address: 10.0.0.1}\n  - {name: b, address: 10.0.0.2}  # b\n  - {name: c, address: 10.0.0.3, role: web}\n# end\n');
  });

  it('deleting an item removes it with the comment above it, and nothing else', () => {
    const { text } = edit(ACME, (doc) => deleteZone(doc, 'prod'));
    const start = ACME.indexOf('  # The production tier');
    const end = ACME.indexOf('  - name: data');
    expect(text).toBe(ACME.slice(0, start) + ACME.slice(end));
  });

  it('deleting an item between blank lines leaves one blank line', () => {
    const { text } = edit(NO_RULES, (doc) => deleteZone(doc, 'data'));
    expect(text).toBe(NO_RULES.slice(0, NO_RULES.indexOf('  - name: data')) + NO_RULES.slice(NO_RULES.indexOf('  - name: partners')));
  });

  it('deleting the last item of a list prints the file again: same data, comments kept', () => {
    const { text } = edit(NO_RULES, (doc) => deleteCrownJewel(doc, 'customer-db'));
    const intent = readIntent(text);
    expect(intent.crown_jewels).toEqual([]);
    expect(intent.zones).toEqual(readIntent(ACME).zones);
    for (const comment of ['# surfacemap intent for acme', '# The production tier, v4 and v6.', '# our own servers', '# databases']) {
      expect(text).toContain(comment);
    }
    expect(text).toContain('crown_jewels: []');
  });

  it('several rules in one edit: replaced in place and appended', () => {
    const base = readIntent(ACME).rules;
    const changed: AllowRule = { ...base[0]!, dport: 6432, reason: 'pgbouncer now' };
    const added: AllowRule = { ...base[0]!, id: 'customer-db-from-web-2', src: { name: 'web-2', cidrs: ['10.0.1.11/32'] } };
    const { text, result } = edit(ACME, (doc) => upsertRules(doc, [changed, added, base[1]!]));
    expect(result).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
    expect(readIntent(text).rules).toEqual([changed, base[1], added]);
    expect(text.slice(0, text.indexOf('rules:'))).toBe(ACME.slice(0, ACME.indexOf('rules:')));
    expect(text).toContain('  - id: partners-sftp\n    protects: {zone: data}\n'); // untouched rule, untouched text
  });

  it('a section that is not there yet is created in the usual order', () => {
    const src = '# my intent\n\nrules: []\n';
    const { text } = edit(src, (doc) => upsertZone(doc, { name: 'prod', kind: 'internal', cidrs: ['10.0.0.0/8'] }));
    expect(text).toBe('# my intent\n\nzones:\n  - name: prod\n    kind: internal\n    cidrs: [10.0.0.0/8]\n\nrules: []\n');
    const { text: more } = edit(text, (doc) => upsertInventoryItem(doc, { name: 'web-1', address: '10.0.1.10' }));
    expect(more).toBe(
      '# my intent\n\nzones:\n  - name: prod\n    kind: internal\n    cidrs: [10.0.0.0/8]\n\ninventory:\n  - name: web-1\n    address: 10.0.1.10\n\nrules: []\n',
    );
  });

  it('an empty file gets a header comment', () => {
    const { text } = edit('', (doc) => upsertInventoryItem(doc, { name: 'web-1', address: '10.0.1.10' }));
    expect(text).toMatch(/^# surfacemap intent: trust zones, crown jewels, declared inventory and allow-list rules\.\n/);
    expect(text).toContain('\ninventory:\n  - name: web-1\n    address: 10.0.1.10\n');
  });

  it('keeps Windows line endings', () => {
    const src = ACME.replace(/\n/g, '\r\n');
    const { text } = edit(src, (doc) => upsertInventoryItem(doc, { name: 'web-2', address: '10.0.1.11' }));
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain('\r\n  - name: web-2\r\n    address: 10.0.1.11\r\n');
    expect(readIntent(text).inventory.map((i) => i.name)).toEqual(['customer-db', 'web-1', 'web-2']);
  });

  it('an unchanged upsert changes nothing', () => {
    const { text, result } = edit(ACME, (doc) => upsertCrownJewel(doc, readIntent(ACME).crown_jewels[0]!));
    expect(result).toMatchObject({ ops: [], unchanged: 1 });
    expect(text).toBe(ACME);
  });

  it('removing an optional field removes its line', () => {
    const { text } = edit(ACME, (doc) => upsertInventoryItem(doc, { name: 'web-1', address: '10.0.1.10' }));
    expect(text).toBe(ACME.replace('    address: 10.0.1.10\n    role: nginx\n', '    address: 10.0.1.10\n'));
  });

  it('deleting what is not there throws IntentNotFoundError and changes nothing', () => {
    const parsed = parseIntent(ACME);
    const doc = parsed.doc.clone();
    expect(() => deleteRules(doc, ['partners-sftp', 'nope', 'nada'])).toThrow(new IntentNotFoundError('rule', ['nope', 'nada']));
    expect(() => deleteInventoryItem(doc, 'ghost')).toThrow('there is no inventory item "ghost"');
    expect(doc.toString()).toBe(parsed.doc.toString());
  });

  it('lists written flush with their key are edited in their own style', () => {
    const src = 'zones:\n- name: a\n  kind: internal\n  cidrs: [10.1.0.0/16]\n- name: b  # bee\n  kind: internal\n  cidrs: []\n';
    const { text } = edit(src, (doc) => upsertZone(doc, { name: 'c', kind: 'dmz', cidrs: ['10.3.0.0/16'] }));
    expect(text).toBe(`${src}- name: c\n  kind: dmz\n  cidrs: [10.3.0.0/16]\n`);
    const { text: gone } = edit(text, (doc) => deleteZone(doc, 'a'));
    expect(gone).toBe('zones:\n- name: b  # bee\n  kind: internal\n  cidrs: []\n- name: c\n  kind: dmz\n  cidrs: [10.3.0.0/16]\n');
  });

  it('a long run of random edits always yields the file the edits describe, and keeps untouched comments', () => {
    // The same edits on plain arrays are the expected result; `data` is never edited, so its comment must stay.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let text = ACME;
    const expected: Intent = readIntent(ACME);
    const upsert = <T extends { name: string }>(list: T[], item: T) => {
      const i = list.findIndex((x) => x.name === item.name);
      if (i >= 0) list[i] = item;
      else list.push(item);
    };
    for (let step = 0; step < 150; step++) {
      const k = rand(4);
      const n = rand(6);
      if (k === 0) {
        const zone: Zone = { name: `z${n}`, kind: ['internal', 'dmz'][rand(2)]!, cidrs: [`10.${100 + n}.${rand(4)}.0/24`], ...(rand(2) ? { description: `zone ${step}` } : {}) };
        text = edit(text, (doc) => upsertZone(doc, zone)).text;
        upsert(expected.zones, zone);
      } else if (k === 1 && expected.zones.some((z) => z.name === `z${n}`)) {
        text = edit(text, (doc) => deleteZone(doc, `z${n}`)).text;
        expected.zones = expected.zones.filter((z) => z.name !== `z${n}`);
      } else if (k === 2) {
        const item: InventoryItem = { name: `h${n}`, address: `10.0.1.${20 + rand(50)}`, ...(rand(2) ? { role: `r${step}` } : {}) };
        text = edit(text, (doc) => upsertInventoryItem(doc, item)).text;
        upsert(expected.inventory, item);
      } else if (k === 3 && expected.inventory.some((i) => i.name === `h${n}`)) {
        text = edit(text, (doc) => deleteInventoryItem(doc, `h${n}`)).text;
        expected.inventory = expected.inventory.filter((i) => i.name !== `h${n}`);
      }
      expect(readIntent(text), `step ${step}`).toEqual(expected);
    }
    for (const kept of ['# surfacemap intent for acme', '      - 10.0.2.0/24   # databases\n', '# The production tier, v4 and v6.', "why: \"customer PII; GDPR scope\""]) {
      expect(text).toContain(kept);
    }
  });
});
