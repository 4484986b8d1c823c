import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IntentError, parseIntent, readIntent } from './intent-file.js';
import { EMPTY_INTENT } from './model.js';

const ACME = readFileSync(new URL('./testdata/acme.yaml', import.meta.url), 'utf8');

/** The issues of `text` as `line:column path: message` strings. */
function issues(text: string): string[] {
  const { error } = parseIntent(text);
  if (error === null) throw new Error('expected the text to be invalid');
  return error.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
}

const zone = (name: string, cidrs: string, extra = '') => `  - name: ${name}\n    kind: internal\n    cidrs: ${cidrs}\n${extra}`;

describe('parseIntent: valid files', () => {
  it('reads every field of the example file', () => {
    const intent = readIntent(ACME);
    expect(intent.zones.map((z) => [z.name, z.kind, z.cidrs])).toEqual([
      ['prod', 'internal', ['10.0.0.0/22', 'fd00:100::/32']],
      ['data', 'internal', ['10.0.2.0/24']],
      ['partners', 'partner', ['203.0.113.0/24']],
    ]);
    expect(intent.zones[1]!.description).toBe('databases and caches');
    expect(intent.crown_jewels).toEqual([
      { name: 'customer-db', match: ['customer-db', '10.0.2.21'], owner: 'data-team@acme.example', why: 'customer PII; GDPR scope' },
    ]);
    expect(intent.inventory[0]).toEqual({ name: 'customer-db', address: '10.0.2.20', owner: 'data-team', role: 'postgres primary' });
    expect(intent.rules[0]!.dport).toBe(5432);
    expect(intent.rules[1]).toMatchObject({ dport: { from: 2222, to: 2223 }, created: '2026-11-20T09:30:00Z', expires: '2027-03-31' });
  });

  it('reads an empty file, a comment-only file and empty sections as the empty intent', () => {
    for (const text of ['', '\n', '# nothing yet\n', 'zones:\ncrown_jewels:\ninventory: []\n', '---\n']) {
      expect(readIntent(text), JSON.stringify(text)).toEqual(EMPTY_INTENT);
    }
  });

  it('allows a more specific CIDR of one zone inside another zone (most specific wins)', () => {
    const text = `zones:\n${zone('prod', '[10.0.0.0/16]')}${zone('data', '[10.0.2.0/24, 10.0.2.20]')}`;
    expect(parseIntent(text).error).toBeNull();
  });

  it('accepts people-facing text with quotes, semicolons and unicode as plain data', () => {
    const text = `crown_jewels:\n  - name: db\n    match: [10.0.2.20]\n    owner: "Zoë O'Brien"\n    why: "'; DROP TABLE flows; -- ../../etc/passwd ✓"\n`;
    expect(readIntent(text).crown_jewels[0]!.why).toBe("'; DROP TABLE flows; -- ../../etc/passwd ✓");
  });
});

describe('parseIntent: errors point at line and column', () => {
  it('formats each issue as file:line:column path: message', () => {
    const text = `zones:\n${zone('prod', '[10.0.0.0/22]')}${zone('data', '\n      - 10.0.0.300/24')}`;
    const { error } = parseIntent(text);
    expect(error).toBeInstanceOf(IntentError);
    expect(error!.message).toBe('surfacemap.yaml:8:9 zones[1].cidrs[0]: "10.0.0.300/24" is not a valid IP address or CIDR');
    expect(error!.issues).toEqual([{ path: 'zones[1].cidrs[0]', line: 8, column: 9, message: '"10.0.0.300/24" is not a valid IP address or CIDR' }]);
  });

  it('uses the file name it is given', () => {
    expect(parseIntent('zones: 3\n', { file: 'policy.yaml' }).error!.message).toBe('policy.yaml:1:8 zones: must be a list, not the number 3');
  });

  it('names the network when a CIDR has host bits set', () => {
    expect(issues(`zones:\n${zone('prod', '[10.0.0.1/22]')}`)).toEqual([
      '4:13 zones[0].cidrs[0]: "10.0.0.1/22" has host bits set: the network is 10.0.0.0/22 (or write 10.0.0.1 for the one address)',
    ]);
  });

  it('refuses the same prefix in two zones, naming both zones and lines', () => {
    const text = `zones:\n${zone('prod', '[10.0.0.0/22, "fd00:100::/32"]')}${zone('data', '[10.0.4.0/24, "fd00:100:0::/32"]')}`;
    expect(issues(text)).toEqual([
      '7:26 zones[1].cidrs[1]: fd00:100::/32 is in zone "data" and in zone "prod" (at line 4); ' +
        'a prefix belongs to one zone (a more specific prefix inside another zone is fine: the most specific wins)',
    ]);
    // 10.0.0.0/22 written as its IPv4-mapped IPv6 form is the same prefix.
    expect(issues(`zones:\n${zone('prod', '[10.0.0.0/22]')}${zone('data', '["::ffff:10.0.0.0/118"]')}`)[0]).toMatch(/^7:13 zones\[1\]\.cidrs\[0\]: 10\.0\.0\.0\/22 is in zone "data" and in zone "prod" \(at line 4\)/);
    expect(issues(`zones:\n${zone('prod', '[10.0.0.0/22, 10.0.0.0/22]')}`)).toEqual(['4:26 zones[0].cidrs[1]: 10.0.0.0/22 is listed twice in zone "prod" (first at line 4)']);
  });

  it('checks zone names, kinds and the built-in names', () => {
    const text = `zones:\n${zone('Prod', '[]')}${zone('internet', '[]')}${zone('prod', '[]')}${zone('prod', '[]')}  - name: x\n    kind: "Data Center"\n    cidrs: []\n`;
    expect(issues(text)).toEqual([
      `2:11 zones[0].name: "Prod" is not valid: lower-case letters, digits, '_', '.' and '-', starting with a letter or digit (at most 63)`,
      '5:11 zones[1].name: "internet" is a built-in zone (addresses no declared zone covers); pick another name',
      '11:11 zones[3].name: zone "prod" is declared twice (first at line 8)',
      '15:11 zones[4].kind: "Data Center" is not valid: one lower-case word such as internal, external, partner, dmz, management, cloud',
    ]);
  });

  it('reports missing and unknown fields and wrong types, with a hint for numbers where text belongs', () => {
    const text = 'zones:\n  - name: prod\n    cidr: [10.0.0.0/8]\n    kind: internal\ninventory:\n  - name: 2024\n    address: 10.0.0.1\n';
    expect(issues(text)).toEqual([
      '2:5 zones[0].cidrs: missing (required)',
      '3:5 zones[0].cidr: unknown field; the fields are name, kind, cidrs, description',
      '6:11 inventory[0].name: must be text: write it in quotes ("2024")',
    ]);
  });

  it('checks crown jewels and inventory', () => {
    const text = [
      'crown_jewels:',
      '  - name: db',
      '    match: [customer-db, "bad name!", 10.0.0.1/8]',
      '    owner: ""',
      '    why: PII',
      '  - name: db',
      '    match: []',
      '    owner: x',
      '    why: y',
      'inventory:',
      '  - name: 10.0.0.5',
      '    address: 10.0.0.5/31',
      '',
    ].join('\n');
    expect(issues(text)).toEqual([
      `3:26 crown_jewels[0].match[1]: "bad name!" is neither an IP, a CIDR nor a host name (letters, digits, '_', '.' and '-')`,
      '3:39 crown_jewels[0].match[2]: "10.0.0.1/8" has host bits set: the network is 10.0.0.0/8 (or write 10.0.0.1 for the one address)',
      '4:12 crown_jewels[0].owner: must not be empty',
      '6:11 crown_jewels[1].name: crown jewel "db" is declared twice (first at line 2)',
      '7:12 crown_jewels[1].match: must list at least one entry',
      '11:11 inventory[0].name: "10.0.0.5" is an address; a name is what people call the host (put the address in "address")',
      '12:14 inventory[0].address: "10.0.0.5/31" has host bits set: the network is 10.0.0.4/31 (or write 10.0.0.5 for the one address)',
    ]);
  });

  it('checks rules: ids, what they protect, ports, protocols and dates', () => {
    const rule = (id: string, extra: string) =>
      `  - id: ${id}\n    protects: {zone: prod}\n    src: {name: a, cidrs: [10.0.0.0/8]}\n    dst: {name: b, cidrs: [10.0.2.20]}\n    owner: o\n    reason: r\n${extra}`;
    const text = [
      `zones:\n${zone('prod', '[10.0.0.0/16]')}rules:`,
      rule('r1', '    proto: tcp\n    dport: 70000\n    created: 2026-02-30\n'),
      rule('r1', '    proto: TCP\n    created: 2026-01-01T10:00\n'),
      rule('r3', '    proto: icmp\n    dport: 8\n    created: 2026-01-02\n    expires: 2026-01-01\n'),
      rule('r4', '    proto: udp\n    dport: {from: 90, to: 80}\n    created: 2026-01-01\n'),
      '  - id: r5\n    protects: {jewel: nope}\n    src: {name: a, cidrs: [10.0.0.0/8]}\n    dst: {name: b, cidrs: [10.0.2.20]}\n    proto: tcp\n    owner: o\n    reason: r\n    created: 2026-01-01\n',
    ].join('\n');
    expect(issues(text)).toEqual([
      '13:12 rules[0].dport: the number 70000 is not a port number (1–65535) or a range {from, to}',
      '14:14 rules[0].created: "2026-02-30" is not a real date (2026-02-30)',
      '16:9 rules[1].id: rule "r1" is declared twice (first at line 6)',
      '22:12 rules[1].proto: "TCP" is not one of tcp, udp, icmp, icmp6',
      '23:14 rules[1].created: "2026-01-01T10:00" is a date-time without a time zone: add Z (UTC) or an offset such as +01:00',
      '32:12 rules[2].dport: icmp has no ports: leave dport out (the rule admits every icmp type)',
      '34:14 rules[2].expires: "2026-01-01" is before created ("2026-01-02")',
      '43:12 rules[3].dport: the range 90–80 is backwards: from must be ≤ to',
      '47:23 rules[4].protects.jewel: there is no crown jewel "nope"',
    ]);
  });

  it('refuses control and invisible characters in text, and line breaks where one line is expected', () => {
    const text = 'crown_jewels:\n  - name: db\n    match: [10.0.2.20]\n    owner: "a\\nb"\n    why: "pay\\u202Eusd"\n';
    expect(issues(text)).toEqual([
      '4:12 crown_jewels[0].owner: contains the control or invisible character U+000A (must be one line)',
      '5:10 crown_jewels[0].why: contains the control or invisible character U+202E',
    ]);
  });

  it('refuses names that look like injection or paths, quoting them safely', () => {
    const text = `zones:\n  - name: "'; DROP TABLE flows; --"\n    kind: internal\n    cidrs: []\ninventory:\n  - name: ../../etc/passwd\n    address: 10.0.0.1\n`;
    const lines = issues(text);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^2:11 zones\[0\]\.name: "'; DROP TABLE flows; --" is not valid/);
    expect(lines[1]).toMatch(/^6:11 inventory\[0\]\.name: "\.\.\/\.\.\/etc\/passwd" is not valid/);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(issues('zones:\n  - name: a\n    kind: [\n')).toEqual(['4:1 : YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']);
    expect(parseIntent('zones: []\nzones: []\n').error!.message).toBe('surfacemap.yaml:2:1 YAML: Map keys must be unique');
    expect(parseIntent('zones: []\n---\nzones: []\n').error!.message).toMatch(/^surfacemap\.yaml:2:1 YAML: Source contains multiple documents/);
  });

  it('refuses a file that is not a map, unknown sections and alias bombs', () => {
    expect(parseIntent('- a\n- b\n').error!.message).toBe(
      'surfacemap.yaml:1:1 the file must be a map with the keys zones, crown_jewels, inventory, rules; it is a list',
    );
    expect(parseIntent('zone: []\n').error!.message).toBe('surfacemap.yaml:1:1 zone: unknown field; the fields are zones, crown_jewels, inventory, rules');
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n');
    expect(parseIntent(bomb).error!.message).toMatch(/^surfacemap\.yaml:1:1 YAML: Excessive alias count/);
  });

  it('lists at most 50 issues and says there are more', () => {
    const text = `zones:\n${Array.from({ length: 80 }, (_, i) => zone(`z${i}`, '[10.0.0.300/24]')).join('')}`;
    const { error } = parseIntent(text);
    expect(error!.issues).toHaveLength(50);
    expect(error!.truncated).toBe(true);
    expect(error!.message.split('\n')).toHaveLength(51);
    expect(error!.message.split('\n')[50]).toBe('… and more; fix these first');
  });
});
