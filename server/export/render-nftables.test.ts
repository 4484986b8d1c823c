// Every rendered file goes through the real `nft -c -f` (needs root, as in CI). No nft → these fail.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AllowRule } from '../intent/model.js';
import { generateRules } from './generate-rules.js';
import { buildNftables, nftString, renderNftables, type NftablesOptions } from './render-nftables.js';
import { targetsFromEdges } from './rule-common.js';
import { CREATED, EDGES } from './testdata/fixtures.js';

const NFT = existsSync('/usr/sbin/nft') ? '/usr/sbin/nft' : 'nft';
const dir = mkdtempSync(join(tmpdir(), 'surfacemap-nft-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** `nft -c -f` on the text: the check nft itself does, against the running kernel's features. */
function nftCheck(text: string): { ok: boolean; stderr: string } {
  const file = join(dir, `rules-${n++}.nft`);
  writeFileSync(file, text);
  const r = spawnSync(NFT, ['-c', '-f', file], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`nft is required for this test (Debian package nftables, run as root): ${r.error.message}`);
  return { ok: r.status === 0, stderr: r.stderr };
}

function expectValid(text: string) {
  const r = nftCheck(text);
  expect(r.stderr, text).toBe('');
  expect(r.ok).toBe(true);
}

const targets = targetsFromEdges(EDGES);
const jewelRules = generateRules(EDGES, { owner: 'dba-team', created: CREATED, jewel: 'customer-db' });
const isV4 = (r: AllowRule) => [...r.src.cidrs, ...r.dst.cidrs].every((c) => !c.includes(':'));
const isV6 = (r: AllowRule) => [...r.src.cidrs, ...r.dst.cidrs].every((c) => c.includes(':'));

function rule(over: Partial<AllowRule>): AllowRule {
  return {
    id: 'r', protects: { jewel: 'customer-db' }, src: { name: 'web', cidrs: ['10.0.1.0/24'] }, dst: { name: 'customer-db', cidrs: ['10.0.2.20/32'] },
    proto: 'tcp', dport: 5432, owner: 'dba-team', reason: 'app', created: CREATED, ...over,
  };
}

describe('nft -c accepts what we render', () => {
  it('the checker works: a broken file is refused', () => {
    expect(nftCheck('table inet surfacemap {\n chain input { type filter hook input priority filter; tcp dport 99999 accept }\n}\n').ok).toBe(false);
  });

  it('mixed IPv4/IPv6 jewel rules, inbound and egress', () => {
    const text = renderNftables(jewelRules, { targets });
    expectValid(text);
    expect(text).toContain('iif "lo" accept');
    expect(text).toContain('ct state established,related accept');
    expect(text).toMatch(/chain input \{\n\t\ttype filter hook input priority filter; policy accept;/);
    expect(text).toMatch(/chain output \{/);
    expect(text).toContain('ip saddr @src_web_1_web_2_web_3_v4 ip daddr 10.0.2.20 tcp dport 5432 counter accept comment "customer-db-tcp-5432-from-prod | dba-team | observed 9300 flows');
    expect(text).toContain('ip6 saddr @src_web_1_web_2_web_3_v6 ip6 daddr fd00:2::20 tcp dport 5432 counter accept');
    expect(text).toContain('ip saddr @src_customer_db_v4 ip daddr 10.0.9.8 udp dport 8125 counter accept');
    expect(text).toContain('counter log prefix "surfacemap drop: " drop');
    // egress rules are in the output chain, not the input chain
    const input = text.slice(text.indexOf('chain input'), text.indexOf('chain output'));
    expect(input).not.toContain('8125');
  });

  it('IPv4 only, IPv6 only, ICMP and ICMPv6', () => {
    const v4 = jewelRules.filter(isV4);
    const v6 = jewelRules.filter(isV6);
    expect(v4.length).toBeGreaterThan(3);
    expect(v6.map((r) => r.proto)).toEqual(['icmp6']);
    expectValid(renderNftables(v4, { targets }));
    const t6 = renderNftables(v6, { targets });
    expectValid(t6);
    expect(t6).toContain('ip6 saddr @src_prometheus_v6 ip6 daddr fd00:2::20 meta l4proto ipv6-icmp counter accept');
    const t4 = renderNftables(jewelRules.filter((r) => r.proto === 'icmp'), { targets });
    expectValid(t4);
    expect(t4).toContain('ip saddr @src_prometheus_v4 ip daddr 10.0.2.20 meta l4proto icmp counter accept');
  });

  it('port ranges, any port, aggregated prefixes, several destinations, the forward hook, policy drop, dry run', () => {
    const rules = [
      rule({ id: 'range', dport: { from: 8000, to: 9000 }, proto: 'udp' }),
      rule({ id: 'anyport', dport: undefined }),
      rule({ id: 'two-dst', dst: { name: 'db pair', cidrs: ['10.0.2.20/32', '10.0.2.21/32', 'fd00:2::/64'] }, src: { name: 'mixed', cidrs: ['10.0.1.0/24', '10.0.1.7/32', 'fd00:1::/64'] } }),
    ];
    for (const o of [{}, { hook: 'forward' }, { policy: 'drop' }, { finalDrop: false }, { hook: 'forward', policy: 'drop', table: 'edge-fw' }] as NftablesOptions[]) {
      const text = renderNftables(rules, { ...o, targets });
      expectValid(text);
    }
    const fwd = renderNftables(rules, { hook: 'forward', policy: 'drop' });
    expect(fwd).toContain('type filter hook forward priority filter; policy drop;');
    expect(fwd).not.toContain('iif "lo"');
    expect(fwd).toContain('udp dport 8000-9000');
    expect(fwd).toContain('ip saddr @src_web_v4 ip daddr 10.0.2.20 meta l4proto tcp counter accept');
    // the /24 swallows the /32 in the set (nft refuses overlapping intervals)
    expect(fwd).toMatch(/set src_mixed_v4 \{[^}]*elements = \{ 10\.0\.1\.0\/24 \}/);
    expect(fwd).toContain('ip daddr @dst_db_pair_v4');
    expect(renderNftables(rules, { finalDrop: false, targets })).toContain('counter log prefix "surfacemap unmatched: "\n');
  });

  it('hostile owners, reasons and names stay inside comments of ≤ 128 characters', () => {
    const evil = 'ops "team"; drop }\n# \\ table ip x { } ümlaut ✓ ' + 'x'.repeat(300);
    const rules = [
      rule({ id: 'evil-1', owner: evil, reason: evil, src: { name: evil, cidrs: ['10.0.1.10/32'] } }),
      rule({ id: 'evil-2', reason: 'line one\nline two "quoted"', dst: { name: '"}; flush ruleset', cidrs: ['10.0.2.20/32', '10.0.2.99/32'] } }),
    ];
    const text = renderNftables(rules, { targets });
    expectValid(text);
    for (const m of text.matchAll(/comment "([^"]*)"/g)) expect(m[1]!.length).toBeLessThanOrEqual(128);
    // what is left outside `#` lines and quoted strings is only our own syntax
    const code = text
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n')
      .replace(/"[^"\n]*"/g, '""');
    expect(code).not.toMatch(/flush ruleset|table ip x|ümlaut|drop }/);
    expect(text).toContain('set src_ops_team_drop_table_ip_x_umlaut_');
    expect(nftString('a"b\\c\nd')).toBe("a'b'c d");
  });

  it('shares one set between rules with the same source group; warns and renders nothing for impossible rules', () => {
    const rules = [
      rule({ id: 'a', dport: 5432 }),
      rule({ id: 'b', dport: 6432 }),
      rule({ id: 'mismatch', src: { name: 'v4 only', cidrs: ['10.0.1.10/32'] }, dst: { name: 'v6 only', cidrs: ['fd00::20/128'] } }),
      rule({ id: 'icmp-on-v6', proto: 'icmp', dport: undefined, src: { name: 'v6', cidrs: ['fd00::1/128'] }, dst: { name: 'v6', cidrs: ['fd00::20/128'] } }),
      rule({ id: 'bad', src: { name: 'typo', cidrs: ['10.0.1.300/32', '10.0.1.7/24'] } }),
    ];
    const { text, warnings } = buildNftables(rules, { targets: { jewels: { 'customer-db': ['10.0.2.20', 'fd00::20'] }, zones: {} } });
    expectValid(text);
    expect(text.match(/set src_web_v4 \{/g)).toHaveLength(1);
    expect(warnings.map((w) => `${w.rule}:${w.code}`)).toEqual([
      'icmp-on-v6:family-mismatch',
      'bad:invalid-address',
      'bad:host-bits',
      'mismatch:nothing-to-admit',
      'icmp-on-v6:nothing-to-admit',
    ]);
    expect(text).toContain('# warnings:');
  });

  it('leaves out expired rules when given now; renders an empty rule set; refuses duplicate ids', () => {
    const rules = [rule({ id: 'old', expires: '2026-01-01' }), rule({ id: 'new', dport: 6432 })];
    const { text, warnings } = buildNftables(rules, { now: '2026-06-01T00:00:00Z', targets });
    expectValid(text);
    expect(text).not.toContain('comment "old');
    expect(warnings).toEqual([{ rule: 'old', code: 'expired', message: 'rule old expired (2026-01-01); left out' }]);
    expectValid(renderNftables([], {}));
    expect(() => renderNftables([rule({}), rule({})])).toThrow(/duplicate rule id/);
  });

  it('without targets, warns that egress rules landed in the input chain', () => {
    const { warnings, text } = buildNftables(jewelRules, {});
    expectValid(text);
    expect(warnings.map((w) => w.code)).toEqual(['no-targets']);
    expect(text).not.toContain('chain output');
  });
});
