import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateRules, type ObservedEdge } from '../export/index.js';
import { IntentError, parseIntent, readIntent } from '../intent/index.js';
import { checkRules, parsePolicy, scopeProblem, storableName } from './export-repository.js';

const BASE = readIntent(`zones:
  - { name: prod, kind: internal, cidrs: [10.0.1.0/24] }
  - { name: data, kind: internal, cidrs: [10.0.2.0/24] }
crown_jewels:
  - { name: db, match: [10.0.2.20], owner: dba, why: customers }
`);

const edge = (src: string, name: string | null): ObservedEdge => ({
  src, src_name: name, src_zone: 'prod', src_jewel: null, dst: '10.0.2.20', dst_name: 'db-1', dst_zone: 'data', dst_jewel: 'db',
  dport: 5432, proto: 'tcp', app: 'postgresql', auth: 'md5', encryption: 'none', flows: 1, packets: 2, bytes: 100,
  first_seen: '2026-11-20T00:00:00Z', last_seen: '2026-11-20T01:00:00Z', clients: 1, crossing: true,
});

describe('storableName', () => {
  it('turns generated group names into names the intent file accepts', () => {
    expect(storableName('web-1, web-2, web-3')).toBe('web-1 + web-2 + web-3');
    expect(storableName('prod (4 hosts)')).toBe('prod: 4 hosts');
    expect(storableName('api.stripe.com')).toBe('api.stripe.com');
    expect(storableName('2001:db8::1')).toBe('2001:db8::1');
    expect(storableName('évil"name;$(x)')).toBe('evil-name-x-');
    expect(storableName('-leading')).toBe('leading');
    expect(storableName('x'.repeat(300)).length).toBe(100);
    expect(storableName('((()))')).toBe('unnamed');
  });

  it('makes every generated rule savable: 2 hosts by name, 5 by zone', () => {
    for (const n of [2, 5]) {
      const edges = Array.from({ length: n }, (_, i) => edge(`10.0.1.${10 + i}`, `web-${i + 1}`));
      const raw = generateRules(edges, { jewel: 'db', owner: 'dba', created: '2026-11-27' });
      const text = (rules: unknown) => YAML.stringify({ ...BASE, rules });
      expect(parseIntent(text(raw)).error).not.toBeNull(); // why storableName exists
      const rules = raw.map((r) => ({ ...r, src: { ...r.src, name: storableName(r.src.name) }, dst: { ...r.dst, name: storableName(r.dst.name) } }));
      const parsed = parseIntent(text(rules));
      expect(parsed.error?.message ?? null).toBeNull();
      expect(rules[0]!.src.name).toBe(n === 2 ? 'web-1 + web-2' : 'prod: 5 hosts');
    }
  });
});

describe('parsePolicy', () => {
  const rule = `  - id: r1
    protects: { jewel: db }
    src: { name: web, cidrs: [10.0.1.10/32] }
    dst: { name: db-1, cidrs: [10.0.2.20/32] }
    proto: tcp
    dport: 5432
    owner: dba
    reason: app
    created: 2026-11-01
`;

  it('takes a rules-only file naming the server\'s jewels, and a whole intent file', () => {
    expect(parsePolicy(`rules:\n${rule}`, BASE).map((r) => r.id)).toEqual(['r1']);
    expect(parsePolicy(`${YAML.stringify({ zones: BASE.zones, crown_jewels: BASE.crown_jewels })}rules:\n${rule}`, BASE)).toHaveLength(1);
    expect(parsePolicy('', BASE)).toEqual([]);
  });

  it('names the line of every problem', () => {
    const bad = `# policy\nrules:\n${rule.replace('dport: 5432', 'dport: 0').replace('jewel: db', 'jewel: nope')}`;
    try {
      parsePolicy(bad, BASE);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IntentError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/^line 4:\d+ rules\[0\]\.protects\.jewel: there is no crown jewel "nope"$/m);
      expect(msg).toMatch(/^line 8:\d+ rules\[0\]\.dport: /m);
    }
    // A file with its own zones is judged on its own: the server's jewel does not count.
    expect(() => parsePolicy(`zones: []\nrules:\n${rule}`, BASE)).toThrow(/line 4:\d+ rules\[0\]\.protects\.jewel: there is no crown jewel "db"/);
    expect(() => parsePolicy('rules: [\n', BASE)).toThrow(/^line \d+:\d+ YAML: /);
    expect(() => parsePolicy('- just a list\n', BASE)).toThrow(IntentError);
  });

  it('checkRules checks JSON rules the same way, with body paths', () => {
    const r = parsePolicy(`rules:\n${rule}`, BASE)[0]!;
    expect(checkRules([r], BASE)).toEqual([r]);
    expect(() => checkRules([{ ...r, src: { name: 'x', cidrs: ['10.0.0.300/32'] } }], BASE)).toThrow(/body\.rules\[0\]\.src\.cidrs\[0\]/);
  });
});

describe('scopeProblem', () => {
  it('404 for undeclared names (built-in zones exist), 400 for both', () => {
    expect(scopeProblem(BASE, { jewel: 'db' })).toBeNull();
    expect(scopeProblem(BASE, { zone: 'internet' })).toBeNull();
    expect(scopeProblem(BASE, { jewel: 'x' })).toMatchObject({ status: 404, message: expect.stringContaining('(there are: db)') });
    expect(scopeProblem(BASE, { zone: 'x' })?.status).toBe(404);
    expect(scopeProblem(BASE, { jewel: 'db', zone: 'prod' })?.status).toBe(400);
  });
});
