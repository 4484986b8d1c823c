// The procurement spec: golden files for CSV and Markdown (testdata/spec.csv, testdata/spec.md; after
// an intended change, regenerate with UPDATE_GOLDEN=1 and review the diff), the XLSX re-read by
// exceljs, the CSV by csv-parse, the Markdown checked for well-formed tables.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { ObservedEdge } from './edge.js';
import { buildSpecModel } from './spec-model.js';
import { mdCell, renderSpecCsv, renderSpecMarkdown, renderSpecXlsx, SPEC_COLUMNS, XLSX_COMPLETENESS_HEADERS, XLSX_SUMMARY_HEADERS } from './render-spec.js';
import { EDGES, SPEC_EXTRA } from './testdata/fixtures.js';

const model = buildSpecModel(EDGES, SPEC_EXTRA);

function golden(name: string, actual: string) {
  const url = new URL(`./testdata/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, actual);
  expect(actual).toBe(readFileSync(url, 'utf8'));
}

/** Cells of a Markdown table row: split on `|` not escaped by an odd run of backslashes. */
function mdCells(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let backslashes = 0;
  for (const ch of line) {
    if (ch === '|' && backslashes % 2 === 0) {
      cells.push(cur);
      cur = '';
    } else cur += ch;
    backslashes = ch === '\\' ? backslashes + 1 : 0;
  }
  cells.push(cur);
  return cells.slice(1, -1); // leading and trailing pipes
}

/** Every table: a header, a --- separator, rows, all with the header's cell count. */
function checkTables(md: string): number {
  const lines = md.split('\n');
  let tables = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|')) continue;
    const width = mdCells(lines[i]!).length;
    expect(width).toBeGreaterThan(1);
    expect(mdCells(lines[i + 1]!)).toEqual(Array(width).fill(' --- '));
    let j = i + 2;
    for (; j < lines.length && lines[j]!.startsWith('|'); j++) {
      expect(lines[j]!.endsWith(' |'), lines[j]).toBe(true);
      expect(mdCells(lines[j]!), lines[j]).toHaveLength(width);
    }
    tables++;
    i = j;
  }
  return tables;
}

describe('buildSpecModel', () => {
  it('one row per crossing pattern: sources merged, a dual-stack destination once, lists most flows first', () => {
    expect(model.rows).toHaveLength(15);
    expect(model.window_days).toBe(7);
    const pg = model.rows.find((r) => r.source_zone === 'prod' && r.port === 5432)!;
    expect(pg).toMatchObject({
      source_assets: ['web-1', 'web-2', 'web-3'],
      sources: 3,
      destination_asset: 'customer-db',
      destination_addresses: ['10.0.2.20', 'fd00:2::20'],
      l4: 'tcp',
      app: ['postgres'],
      encryption: ['tls'],
      auth: ['scram'],
      flows: 9300,
      flows_per_day: 1328.57,
      bytes_per_day: Math.round(216_000_000 / 7),
      crown_jewel: 'customer-db',
      into_crown_jewel: true,
    });
    expect(model.rows.some((r) => r.destination_asset === 'web-2')).toBe(false); // not crossing
    expect(model.rows.find((r) => r.l4 === 'icmp')!.port).toBeNull();
  });

  it('summary: top five by flows and bytes, UDP, weak patterns into jewels, requirements', () => {
    const s = model.summary;
    expect(s.top_by_flows.map((p) => p.pattern)).toEqual([
      'data → metrics udp/8125 (statsd)',
      'mgmt → customer-db tcp/9187 (prometheus)',
      'prod → dns-1 udp/53 (dns)',
      'prod → cache tcp/6379 (redis)',
      'mgmt → customer-db icmp6',
    ]);
    expect(s.top_by_bytes[0]!.pattern).toBe('mgmt → customer-db tcp/9187 (prometheus)');
    expect(s.udp.map((p) => p.pattern)).toEqual(['data → metrics udp/8125 (statsd)', 'prod → dns-1 udp/53 (dns)', 'mgmt → customer-db udp/51000']);
    expect(s.weak_into_jewels.map((p) => [p.pattern, p.note])).toEqual([
      ['mgmt → customer-db tcp/9187 (prometheus)', 'plaintext, unauthenticated'],
      ['prod → customer-db tcp/6432 (postgres)', 'plaintext'],
    ]);
    expect(Object.fromEntries(s.requirements.map((r) => [r.id, [r.needed, r.patterns]]))).toEqual({
      udp: [true, 3],
      'non-http-tcp': [true, 7],
      mtls: [true, 1],
      'long-lived-tokens': [true, 2],
      plaintext: [true, 5],
      icmp: [true, 2],
      ipv6: [true, 2],
    });
  });

  it('requirements are derived, not assumed: an HTTPS-only estate needs none of them', () => {
    const https: ObservedEdge = { ...EDGES.find((e) => e.dst_name === 'payments-api')! };
    const m = buildSpecModel([https], { ...SPEC_EXTRA, jwt: [] });
    expect(m.summary.requirements.filter((r) => r.needed)).toEqual([]);
    expect(m.summary.weak_into_jewels).toEqual([]);
  });

  it('completeness: agents, hours, gaps, sampling, drops, patterns seen on one day only', () => {
    const c = model.completeness;
    expect(c).toMatchObject({ window_hours: 168, hours_watched: 319.5, gap_count: 1, sampling: [1, 10], packets_dropped: 1200 });
    expect(c.one_day_patterns.map((p) => [p.pattern, p.note])).toEqual([
      ['data → backups.s3.example tcp/443 (tls)', 'seen 2026-11-22'],
      ['mgmt → customer-db udp/51000', 'seen 2026-11-23'],
    ]);
    expect(buildSpecModel(EDGES, { from: SPEC_EXTRA.from, to: SPEC_EXTRA.to, generated: SPEC_EXTRA.generated }).completeness.packets_dropped).toBeNull();
    expect(() => buildSpecModel(EDGES, { ...SPEC_EXTRA, to: SPEC_EXTRA.from })).toThrow(/bad window/);
  });
});

describe('spec CSV', () => {
  it('matches the golden file and re-parses: one row per pattern, every column', () => {
    const text = renderSpecCsv(model);
    golden('spec.csv', text);
    const rows: Record<string, string>[] = parse(text, { columns: true });
    expect(rows).toHaveLength(model.rows.length);
    expect(Object.keys(rows[0]!)).toEqual(SPEC_COLUMNS.map((c) => c.key));
    expect(rows[0]).toMatchObject({ source_zone: 'mgmt', destination_asset: 'customer-db', port: '9187', l4: 'tcp', flows_per_day: '5760', touches_crown_jewel: 'yes' });
    expect(rows.find((r) => r.destination_asset === 'payments-api' && r.source_zone === 'prod')!.jwt_max_lifetime_h).toBe('720');
  });
});

describe('spec Markdown', () => {
  it('matches the golden file; every table is well formed', () => {
    const md = renderSpecMarkdown(model);
    golden('spec.md', md);
    expect(checkTables(md)).toBe(8);
  });

  it('escapes pipes, newlines and markup in cells, so a hostile name cannot break a table', () => {
    const evil: ObservedEdge = { ...EDGES[0]!, src_name: 'a|b\\|c\nd <img src=x> [x](http://y) *e*', dst_name: 'db|1' };
    const md = renderSpecMarkdown(buildSpecModel([evil], SPEC_EXTRA));
    expect(checkTables(md)).toBe(5); // top by flows, top by bytes, requirements, patterns, agents
    expect(md).toContain('a\\|b\\\\\\|c d &lt;img src=x&gt; \\[x\\](http://y) \\*e\\*');
    expect(mdCell('x|y')).toBe('x\\|y');
  });
});

describe('spec XLSX', () => {
  it('re-reads with exceljs: three sheets, frozen headers, plain values, the model’s numbers', async () => {
    const buf = await renderSpecXlsx(model);
    expect(buf.subarray(0, 2).toString()).toBe('PK');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Patterns', 'Completeness']);
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type === ExcelJS.ValueType.String || cell.type === ExcelJS.ValueType.Number, `${ws.name}!${cell.address}`).toBe(true);
        }),
      );
      for (let i = 1; i <= ws.columnCount; i++) expect(ws.getColumn(i).width).toBeGreaterThanOrEqual(8);
    }
    const header = (name: string) => (wb.getWorksheet(name)!.getRow(1).values as unknown[]).slice(1);
    expect(header('Summary')).toEqual(XLSX_SUMMARY_HEADERS);
    expect(header('Patterns')).toEqual(SPEC_COLUMNS.map((c) => c.header));
    expect(header('Completeness')).toEqual(XLSX_COMPLETENESS_HEADERS);

    const patterns = wb.getWorksheet('Patterns')!;
    expect(patterns.rowCount).toBe(model.rows.length + 1);
    const col = (h: string) => SPEC_COLUMNS.findIndex((c) => c.header === h) + 1;
    model.rows.forEach((r, i) => {
      const row = patterns.getRow(i + 2);
      expect(row.getCell(col('destination asset')).value).toBe(r.destination_asset);
      expect(row.getCell(col('flows/day')).value).toBe(r.flows_per_day);
      expect(row.getCell(col('bytes')).value).toBe(r.bytes);
      expect(row.getCell(col('port')).value).toBe(r.port);
    });
    const summary = wb.getWorksheet('Summary')!;
    const topFlows: unknown[] = [];
    summary.eachRow((row) => {
      if (row.getCell(1).value === 'top by flows') topFlows.push(row.getCell(3).value);
    });
    expect(topFlows).toEqual(model.summary.top_by_flows.map((p) => p.pattern));
    const comp = wb.getWorksheet('Completeness')!;
    expect(comp.getRow(3).values).toEqual([undefined, 'agent', 'dc1-span', 'eth1 (prod); eth2 (data)', '2026-11-20T00:00:00Z', '2026-11-26T23:59:59Z', 165.5, 1, 912345678, 1200]);
    expect(comp.getRow(5).getCell(1).value).toBe('gap');
    expect(comp.getRow(5).getCell(6).value).toBe(2.5);
  });

  it('a cell that looks like a formula stays text', async () => {
    const evil: ObservedEdge = { ...EDGES[0]!, src_name: '=HYPERLINK("http://x","y")' };
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderSpecXlsx(buildSpecModel([evil], SPEC_EXTRA))) as unknown as ArrayBuffer);
    const cell = wb.getWorksheet('Patterns')!.getRow(2).getCell(2);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe('=HYPERLINK("http://x","y")');
  });
});
