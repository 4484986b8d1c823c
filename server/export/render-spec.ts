// The procurement spec (spec-model.ts) as CSV (the patterns, one row each), Markdown (GitHub tables:
// summary, patterns, completeness) and XLSX (sheets Summary, Patterns, Completeness; plain values, no
// formulas, frozen header row). Deterministic: the same model gives the same text.
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { PatternRef, SpecModel, SpecRow } from './spec-model.js';

// ---------- the pattern table, shared by all three ----------

interface Column {
  key: string;
  header: string;
  /** CSV/XLSX value. */
  value: (r: SpecRow) => string | number;
  /** Markdown text, when it differs. */
  md?: (r: SpecRow) => string;
}

const list = (xs: string[]) => xs.join('; ');
const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const hours = (s: number | null) => (s === null ? '' : Math.round((s / 3600) * 10) / 10);

export const SPEC_COLUMNS: Column[] = [
  { key: 'source_zone', header: 'source zone', value: (r) => r.source_zone },
  { key: 'source_assets', header: 'source assets', value: (r) => list(r.source_assets), md: (r) => r.source_assets.join(', ') },
  { key: 'sources', header: 'distinct sources', value: (r) => r.sources },
  { key: 'destination_asset', header: 'destination asset', value: (r) => r.destination_asset },
  { key: 'destination_addresses', header: 'destination addresses', value: (r) => list(r.destination_addresses), md: (r) => r.destination_addresses.join(', ') },
  { key: 'destination_zone', header: 'destination zone', value: (r) => r.destination_zone },
  { key: 'port', header: 'port', value: (r) => (r.port === null ? '' : r.port) },
  { key: 'l4', header: 'L4', value: (r) => r.l4 },
  { key: 'app', header: 'app protocol', value: (r) => list(r.app), md: (r) => r.app.join(', ') },
  { key: 'encryption', header: 'encryption', value: (r) => list(r.encryption), md: (r) => r.encryption.join(', ') },
  { key: 'auth', header: 'auth methods', value: (r) => list(r.auth), md: (r) => r.auth.join(', ') },
  { key: 'flows_per_day', header: 'flows/day', value: (r) => r.flows_per_day, md: (r) => num(r.flows_per_day) },
  { key: 'bytes_per_day', header: 'bytes/day', value: (r) => r.bytes_per_day, md: (r) => bytes(r.bytes_per_day) },
  { key: 'flows', header: 'flows', value: (r) => r.flows },
  { key: 'bytes', header: 'bytes', value: (r) => r.bytes, md: (r) => bytes(r.bytes) },
  { key: 'first_seen', header: 'first seen', value: (r) => r.first_seen },
  { key: 'last_seen', header: 'last seen', value: (r) => r.last_seen },
  { key: 'touches_crown_jewel', header: 'touches crown jewel', value: (r) => yesNo(r.crown_jewel !== null) },
  { key: 'crown_jewel', header: 'crown jewel', value: (r) => r.crown_jewel ?? '' },
  { key: 'jwt_max_lifetime_h', header: 'max JWT lifetime (h)', value: (r) => hours(r.jwt_max_lifetime_s) },
];

/** `1234.5` → `1234.5`; integers without decimals. */
function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, '');
}

/** Decimal units, one decimal: `81.2 MB`. */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

// ---------- CSV ----------

/** One row per pattern, the columns of SPEC_COLUMNS (keys as the header); lists joined with `; `. */
export function renderSpecCsv(model: SpecModel): string {
  return stringify(
    model.rows.map((r) => SPEC_COLUMNS.map((c) => c.value(r))),
    { header: true, columns: SPEC_COLUMNS.map((c) => c.key), record_delimiter: '\n' },
  );
}

// ---------- Markdown ----------

/** A table cell: one line; `|` and what Markdown would interpret (links, emphasis, HTML) escaped. */
export function mdCell(s: string | number): string {
  return String(s)
    .replace(/[\r\n]+/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/([*_`[\]])/g, '\\$1')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function mdTable(headers: string[], rows: (string | number)[][]): string[] {
  if (rows.length === 0) return ['_none_'];
  return [
    `| ${headers.map(mdCell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ];
}

const refRows = (refs: PatternRef[], withNote = false) =>
  refs.map((p, i) => [i + 1, p.pattern, num(p.flows_per_day), bytes(p.bytes_per_day), ...(withNote ? [p.note ?? ''] : [])]);

export function renderSpecMarkdown(model: SpecModel): string {
  const s = model.summary;
  const c = model.completeness;
  const out: string[] = [
    '# Traffic audit: boundary-crossing patterns',
    '',
    `Window ${model.from} to ${model.to} (${num(model.window_days)} days); generated ${model.generated}. ` +
      `${model.rows.length} pattern${model.rows.length === 1 ? '' : 's'} cross a trust boundary.`,
    '',
    '## Summary',
    '',
    `### Top ${s.top_by_flows.length} patterns by flows`,
    '',
    ...mdTable(['#', 'pattern', 'flows/day', 'bytes/day'], refRows(s.top_by_flows)),
    '',
    `### Top ${s.top_by_bytes.length} patterns by bytes`,
    '',
    ...mdTable(['#', 'pattern', 'flows/day', 'bytes/day'], refRows(s.top_by_bytes)),
    '',
    '### UDP patterns',
    '',
    'Vendor discovery often misses these.',
    '',
    ...mdTable(['#', 'pattern', 'flows/day', 'bytes/day'], refRows(s.udp)),
    '',
    '### Plaintext or unauthenticated patterns into crown jewels',
    '',
    ...mdTable(['#', 'pattern', 'flows/day', 'bytes/day', 'finding'], refRows(s.weak_into_jewels, true)),
    '',
    '### Requirements checklist',
    '',
    ...mdTable(
      ['requirement', 'needed', 'patterns', 'examples'],
      s.requirements.map((r) => [r.requirement, yesNo(r.needed), r.patterns, r.evidence.join('; ')]),
    ),
    '',
    '## Patterns',
    '',
    ...mdTable(
      SPEC_COLUMNS.map((col) => col.header),
      model.rows.map((r) => SPEC_COLUMNS.map((col) => (col.md ? col.md(r) : col.value(r)))),
    ),
    '',
    '## Observation completeness',
    '',
    `Window ${num(c.window_hours)} hours; agents watched ${num(c.hours_watched)} hours in all, with ${c.gap_count} gap${c.gap_count === 1 ? '' : 's'}; ` +
      `sampling ${c.sampling.length ? c.sampling.map((n) => (n === 1 ? 'none' : `1 in ${n}`)).join(', ') : 'unknown'}; ` +
      `packets dropped ${c.packets_dropped === null ? 'unknown' : c.packets_dropped}.`,
    '',
    ...mdTable(
      ['agent', 'segments', 'first seen', 'last seen', 'hours watched', 'gaps', 'sampling', 'packets', 'dropped'],
      c.agents.map((a) => [
        a.agent,
        a.segments.join(', '),
        a.first_seen ?? '',
        a.last_seen ?? '',
        num(a.hours_watched),
        a.gaps.map((g) => `${g.from} to ${g.to}`).join('; '),
        a.sampling === 1 ? 'none' : `1 in ${a.sampling}`,
        a.packets ?? '',
        a.packets_dropped ?? '',
      ]),
    ),
    '',
    '### Patterns seen on one day only',
    '',
    'Their period may exceed the window (a weekly job seen once): watch longer before relying on them.',
    '',
    ...mdTable(['#', 'pattern', 'flows/day', 'bytes/day', 'seen'], refRows(c.one_day_patterns, true)),
    '',
  ];
  return out.join('\n');
}

// ---------- XLSX ----------

type Cell = string | number;

function addSheet(wb: ExcelJS.Workbook, name: string, headers: string[], rows: Cell[][]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(headers);
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r.map((v) => (v === '' ? null : v))); // empty, not an empty string
  headers.forEach((h, i) => {
    const longest = Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length));
    ws.getColumn(i + 1).width = Math.min(60, Math.max(8, longest + 2));
  });
}

export const XLSX_SUMMARY_HEADERS = ['section', 'rank', 'pattern', 'flows/day', 'bytes/day', 'detail'];
export const XLSX_COMPLETENESS_HEADERS = ['item', 'agent', 'segments', 'from', 'to', 'hours', 'sampling (1 in N)', 'packets', 'packets dropped', 'note'];

/** Workbook with sheets Summary, Patterns, Completeness: plain values, frozen header rows. */
export async function renderSpecXlsx(model: SpecModel): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const when = new Date(model.generated);
  wb.creator = 'surfacemap';
  wb.created = when;
  wb.modified = when;
  const s = model.summary;
  const c = model.completeness;
  const refs = (section: string, rs: PatternRef[]): Cell[][] => rs.map((p, i) => [section, i + 1, p.pattern, p.flows_per_day, p.bytes_per_day, p.note ?? '']);
  addSheet(wb, 'Summary', XLSX_SUMMARY_HEADERS, [
    ['window', '', `${model.from} to ${model.to}`, '', '', `${model.window_days} days; ${model.rows.length} patterns; generated ${model.generated}`],
    ...refs('top by flows', s.top_by_flows),
    ...refs('top by bytes', s.top_by_bytes),
    ...refs('UDP', s.udp),
    ...refs('into crown jewel: plaintext or unauthenticated', s.weak_into_jewels),
    ...s.requirements.map((r, i): Cell[] => ['requirement', i + 1, r.requirement, '', '', r.needed ? `yes: ${r.patterns} pattern(s): ${r.evidence.join('; ')}` : 'no']),
  ]);
  addSheet(
    wb,
    'Patterns',
    SPEC_COLUMNS.map((col) => col.header),
    model.rows.map((r) => SPEC_COLUMNS.map((col) => col.value(r))),
  );
  addSheet(wb, 'Completeness', XLSX_COMPLETENESS_HEADERS, [
    ['window', '', '', model.from, model.to, c.window_hours, '', '', c.packets_dropped ?? '', `${c.hours_watched} agent-hours watched; ${c.gap_count} gaps`],
    ...c.agents.map((a): Cell[] => ['agent', a.agent, a.segments.join('; '), a.first_seen ?? '', a.last_seen ?? '', a.hours_watched, a.sampling, a.packets ?? '', a.packets_dropped ?? '', '']),
    ...c.agents.flatMap((a) =>
      a.gaps.map((g): Cell[] => ['gap', a.agent, '', g.from, g.to, Math.round(((Date.parse(g.to) - Date.parse(g.from)) / 3_600_000) * 100) / 100, '', '', '', '']),
    ),
    ...c.one_day_patterns.map((p): Cell[] => {
      const r = model.rows[p.row]!;
      return ['seen on one day only', '', '', r.first_seen, r.last_seen, '', '', '', '', p.pattern];
    }),
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
