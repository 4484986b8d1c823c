// Declared inventory from a spreadsheet: CSV with a header row naming `name` and one of
// `ip` | `cidr` | `address`, optionally `owner` and `role` (any case, any order; other columns are
// ignored and reported). Rows upsert by name. Comma, semicolon or tab separated (taken from the header).
// Every problem names its CSV line; one bad row rejects the whole import.
import { parse } from 'csv-parse/sync';
import type { InventoryItem } from './model.js';
import { NAME_MAX, NAME_PATTERN } from './schema.js';
import { cidrProblem, quote, textProblem } from './validate.js';
import { parseIp } from './ip.js';

export interface CsvImportResult {
  added: number;
  updated: number;
  unchanged: number;
  /** Header columns that are not inventory fields (kept out of the file). */
  ignored_columns: string[];
}

export class CsvImportError extends Error {
  override name = 'CsvImportError';
  constructor(readonly problems: { line: number; message: string }[]) {
    super(problems.map((p) => `CSV line ${p.line}: ${p.message}`).join('\n'));
  }
}

const ADDRESS_COLUMNS = ['ip', 'cidr', 'address'];
const MAX_ROWS = 100_000;
const MAX_PROBLEMS = 50;
const NAME = new RegExp(NAME_PATTERN);

function delimiterOf(csv: string): string {
  const header = csv.slice(0, csv.search(/\r?\n|$/));
  const counts = [',', ';', '\t'].map((d) => ({ d, n: header.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  return counts[0]!.n > 0 ? counts[0]!.d : ',';
}

/**
 * The inventory items the CSV declares, merged with `existing` by name: columns the CSV does not have
 * keep their existing values; an empty `owner`/`role` cell removes that field.
 */
export function parseInventoryCsv(csv: string, existing: readonly InventoryItem[] = []): { items: InventoryItem[]; ignored_columns: string[] } {
  let rows: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    rows = parse(csv.replace(/^\ufeff/, ''), {
      delimiter: delimiterOf(csv.replace(/^\ufeff/, '')),
      skip_empty_lines: true,
      trim: true,
      info: true,
      raw: true,
      relax_column_count: true, // spreadsheets drop trailing empty cells
      max_record_size: 64 * 1024,
    }) as unknown as typeof rows;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new CsvImportError([{ line: e.lines ?? 1, message: e.message.replace(/ (on|at) line \d+$/, '') }]);
  }
  const firstLine = (row: (typeof rows)[number]) => row.info.lines - (row.raw.replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
  if (rows.length === 0) throw new CsvImportError([{ line: 1, message: 'the CSV is empty: it needs a header row with name and ip (or cidr, address)' }]);
  if (rows.length - 1 > MAX_ROWS) throw new CsvImportError([{ line: 1, message: `more than ${MAX_ROWS} rows; split the file` }]);

  const [head, ...body] = rows;
  const columns = head!.record.map((c) => c.trim().toLowerCase());
  const headerLine = firstLine(head!);
  const col = (name: string) => columns.indexOf(name);
  const problems: { line: number; message: string }[] = [];
  const dupCols = columns.filter((c, i) => c !== '' && columns.indexOf(c) !== i);
  if (dupCols.length > 0) problems.push({ line: headerLine, message: `column ${quote(dupCols[0])} appears twice` });
  const addressCols = ADDRESS_COLUMNS.filter((c) => columns.includes(c));
  if (col('name') < 0) problems.push({ line: headerLine, message: `the header has no "name" column (it has ${columns.map((c) => quote(c)).join(', ')})` });
  if (addressCols.length === 0) problems.push({ line: headerLine, message: 'the header needs one address column: ip, cidr or address' });
  if (addressCols.length > 1) problems.push({ line: headerLine, message: `use one address column, not ${addressCols.join(' and ')}` });
  if (problems.length > 0) throw new CsvImportError(problems);

  const known = new Set(['name', 'owner', 'role', ...ADDRESS_COLUMNS]);
  const ignored_columns = head!.record.filter((c, i) => !known.has(columns[i]!) && c.trim() !== '');
  const iName = col('name');
  const iAddr = col(addressCols[0]!);
  const iOwner = col('owner');
  const iRole = col('role');
  const byName = new Map(existing.map((item) => [item.name, item]));
  const seen = new Map<string, number>();
  const items: InventoryItem[] = [];

  for (const row of body) {
    const line = firstLine(row);
    const cell = (i: number) => (i >= 0 ? (row.record[i] ?? '') : '');
    const problem = (message: string) => {
      if (problems.length < MAX_PROBLEMS) problems.push({ line, message });
    };
    const name = cell(iName);
    const address = cell(iAddr);
    if (name === '') problem('name is empty');
    else if (name.length > NAME_MAX || !NAME.test(name)) {
      problem(`name ${quote(name)} is not valid: letters, digits, '_', '.' and '-', starting with a letter, digit or '_' (at most ${NAME_MAX})`);
    } else if (parseIp(name) !== null) problem(`name ${quote(name)} is an address; a name is what people call the host`);
    else if (seen.has(name)) problem(`name ${quote(name)} is also on line ${seen.get(name)}`);
    else seen.set(name, line);
    if (address === '') problem(`${columns[iAddr]} is empty`);
    else {
      const p = cidrProblem(address);
      if (p !== null) problem(`${columns[iAddr]} ${p}`);
    }
    const item: InventoryItem = { name, address };
    const before = byName.get(name);
    for (const [field, i] of [['owner', iOwner], ['role', iRole]] as const) {
      if (i < 0) {
        if (before?.[field] !== undefined) item[field] = before[field];
        continue;
      }
      const v = cell(i);
      if (v === '') continue;
      const p = v.length > 200 ? 'is longer than 200 characters' : textProblem(v, false);
      if (p !== null) problem(`${field} ${p}`);
      item[field] = v;
    }
    items.push(item);
  }
  if (problems.length > 0) throw new CsvImportError(problems);
  return { items, ignored_columns };
}
