// Allow-list → CSV, one row per (rule, source CIDR, destination CIDR): the format for spreadsheets and
// for vendors' bulk importers. RFC 4180 quoting by csv-stringify.
import { stringify } from 'csv-stringify/sync';
import type { AllowRule } from '../intent/model.js';
import { formatAddress, type Prefix } from './cidr.js';
import { activeRules, assertUniqueIds, compileRule, inputWarnings, portText, protectsKey, type Rendered, type ExportWarning } from './rule-common.js';

export interface AllowlistCsvOptions {
  /** Leave out rules expired at this instant. */
  now?: string;
}

export const ALLOWLIST_CSV_COLUMNS = [
  'rule',
  'src_name',
  'src_cidr',
  'dst_name',
  'dst_cidr',
  'dport',
  'proto',
  'owner',
  'reason',
  'created',
  'expires',
  'protects',
] as const;

const cidr = (p: Prefix) => `${formatAddress(p.v, p.net)}/${p.len}`;

export function buildAllowlistCsv(rules: readonly AllowRule[], o: AllowlistCsvOptions = {}): Rendered {
  assertUniqueIds(rules);
  const warnings: ExportWarning[] = [];
  const rows: string[][] = [];
  for (const r of activeRules(rules, o.now, warnings)) {
    const c = compileRule(r);
    warnings.push(...inputWarnings(c));
    const before = rows.length;
    for (const s of c.src)
      for (const d of c.dst) {
        if (s.v !== d.v) continue; // a flow never mixes address families
        rows.push([r.id, r.src.name, cidr(s), r.dst.name, cidr(d), portText(r), r.proto, r.owner, r.reason, r.created, r.expires ?? '', protectsKey(r)]);
      }
    if (rows.length === before)
      warnings.push({ rule: r.id, code: 'nothing-to-admit', message: `rule ${r.id}: no source and destination of the same address family; no rows` });
  }
  return { text: stringify(rows, { header: true, columns: [...ALLOWLIST_CSV_COLUMNS], record_delimiter: '\n' }), warnings };
}

/** Header `rule,src_name,src_cidr,dst_name,dst_cidr,dport,proto,owner,reason,created,expires,protects`. */
export function renderAllowlistCsv(rules: readonly AllowRule[], o: AllowlistCsvOptions = {}): string {
  return buildAllowlistCsv(rules, o).text;
}
