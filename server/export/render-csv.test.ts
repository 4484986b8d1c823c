import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { AllowRule } from '../intent/model.js';
import { generateRules } from './generate-rules.js';
import { renderAllowlist, ALLOWLIST_FORMATS } from './render-allowlist.js';
import { ALLOWLIST_CSV_COLUMNS, buildAllowlistCsv, renderAllowlistCsv } from './render-csv.js';
import { targetsFromEdges } from './rule-common.js';
import { CREATED, EDGES } from './testdata/fixtures.js';

const jewelRules = generateRules(EDGES, { owner: 'dba-team', created: CREATED, jewel: 'customer-db' });

describe('allow-list CSV', () => {
  it('one row per (rule, source CIDR, destination CIDR) of one family; re-parsed by csv-parse', () => {
    const text = renderAllowlistCsv(jewelRules);
    const rows: Record<string, string>[] = parse(text, { columns: true });
    expect(Object.keys(rows[0]!)).toEqual([...ALLOWLIST_CSV_COLUMNS]);
    expect(Object.keys(rows[0]!).slice(0, 9)).toEqual(['rule', 'src_name', 'src_cidr', 'dst_name', 'dst_cidr', 'dport', 'proto', 'owner', 'reason']);
    const expected = jewelRules.reduce(
      (n, r) => n + r.src.cidrs.reduce((m, s) => m + r.dst.cidrs.filter((d) => d.includes(':') === s.includes(':')).length, 0),
      0,
    );
    expect(rows).toHaveLength(expected);
    expect(rows.filter((r) => r.rule === 'customer-db-tcp-5432-from-prod').map((r) => [r.src_cidr, r.dst_cidr])).toEqual([
      ['10.0.1.10/32', '10.0.2.20/32'],
      ['10.0.1.11/32', '10.0.2.20/32'],
      ['fd00:1::12/128', 'fd00:2::20/128'],
    ]);
    expect(rows.find((r) => r.rule === 'customer-db-icmp-from-mgmt')).toMatchObject({ dport: '', proto: 'icmp', protects: 'jewel:customer-db', created: CREATED, expires: '' });
  });

  it('quotes commas, quotes and newlines so they survive a round trip; ranges print as from-to', () => {
    const r: AllowRule = {
      id: 'x', protects: { zone: 'data' }, src: { name: 'a, "b"', cidrs: ['10.0.1.0/24'] }, dst: { name: 'db', cidrs: ['10.0.2.20/32'] },
      proto: 'udp', dport: { from: 8000, to: 9000 }, owner: 'ops', reason: 'line 1\nline 2, "quoted"', created: CREATED, expires: '2027-01-01',
    };
    const [row] = parse(renderAllowlistCsv([r]), { columns: true }) as Record<string, string>[];
    expect(row).toEqual({
      rule: 'x', src_name: 'a, "b"', src_cidr: '10.0.1.0/24', dst_name: 'db', dst_cidr: '10.0.2.20/32', dport: '8000-9000', proto: 'udp',
      owner: 'ops', reason: 'line 1\nline 2, "quoted"', created: CREATED, expires: '2027-01-01', protects: 'zone:data',
    });
    const { warnings } = buildAllowlistCsv([{ ...r, dst: { name: 'v6', cidrs: ['fd00::1/128'] } }]);
    expect(warnings.map((w) => w.code)).toEqual(['nothing-to-admit']);
  });
});

describe('renderAllowlist', () => {
  it('renders every format in one call, with media type and extension', () => {
    const targets = targetsFromEdges(EDGES);
    const out = ALLOWLIST_FORMATS.map((f) => {
      const r = renderAllowlist(f, jewelRules, { targets });
      return [f, r.contentType, r.extension, r.text.length > 100, r.warnings.length];
    });
    expect(out).toEqual([
      ['nftables', 'text/plain; charset=utf-8', 'nft', true, 0],
      ['k8s', 'application/yaml', 'yaml', true, 2],
      ['cilium', 'application/yaml', 'yaml', true, 2],
      ['aws', 'application/json', 'json', true, 1],
      ['csv', 'text/csv; charset=utf-8', 'csv', true, 0],
    ]);
  });
});
