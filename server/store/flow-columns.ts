// FlowRecords → TabSeparated chunks for the `flows` table. The column list below is the one place that
// maps record fields to columns: a new FlowRecord field is one migration (ALTER TABLE flows ADD COLUMN)
// plus one line here.
// TabSeparated: https://clickhouse.com/docs/interfaces/formats/TabSeparated (escapes \\ \t \n; \N = NULL,
// which becomes the column default with input_format_null_as_default = 1, the default).
import { isIP } from 'node:net';
import type { FlowRecord } from '../../common/flow-record.js';
import { MAX_INSERT_ROWS } from './limits.js';

/**
 * How a field is written and checked. Integers are range-checked against their column type here
 * because ClickHouse would otherwise wrap or refuse the whole chunk; IPs must be plain IPv4/IPv6
 * text (IPv4 lands ::ffff:-mapped in the IPv6 columns); times are ISO-8601 (the schema checked the
 * format; the insert parses them with date_time_input_format = best_effort).
 */
export type ColumnKind = 'text' | 'ip' | 'time' | 'u16' | 'u32' | 'u64' | 'float';

export interface FlowColumn {
  /** Column in `flows` and field of FlowRecord (same name). */
  name: string;
  kind: ColumnKind;
}

// NOTE: order = TSV field order; `agent` (from the batch, not the record) is written before these.
export const FLOW_COLUMNS: readonly FlowColumn[] = [
  { name: 'start', kind: 'time' },
  { name: 'end', kind: 'time' },
  { name: 'proto', kind: 'text' },
  { name: 'src', kind: 'ip' },
  { name: 'sport', kind: 'u16' },
  { name: 'dst', kind: 'ip' },
  { name: 'dport', kind: 'u16' },
  { name: 'orig_pkts', kind: 'u64' },
  { name: 'resp_pkts', kind: 'u64' },
  { name: 'orig_ip_bytes', kind: 'u64' },
  { name: 'resp_ip_bytes', kind: 'u64' },
  { name: 'orig_bytes', kind: 'u64' },
  { name: 'resp_bytes', kind: 'u64' },
  { name: 'state', kind: 'text' },
  { name: 'history', kind: 'text' },
  { name: 'end_reason', kind: 'text' },
  { name: 'initiator', kind: 'text' },
  { name: 'sampling', kind: 'u32' },
  { name: 'frags', kind: 'u32' },
  { name: 'vlan', kind: 'u16' },
  // Detection labels (migration 002); absent → '' (or NULL for jwt_lifetime_s).
  { name: 'app', kind: 'text' },
  { name: 'app_guess', kind: 'text' },
  { name: 'auth', kind: 'text' },
  { name: 'encryption', kind: 'text' },
  { name: 'tls_version', kind: 'text' },
  { name: 'sni', kind: 'text' },
  { name: 'alpn', kind: 'text' },
  { name: 'ja4', kind: 'text' },
  { name: 'tls_client_cert', kind: 'text' },
  { name: 'http_host', kind: 'text' },
  { name: 'http_method', kind: 'text' },
  { name: 'http_path_class', kind: 'text' },
  { name: 'user_agent_family', kind: 'text' },
  { name: 'jwt_alg', kind: 'text' },
  { name: 'jwt_lifetime_s', kind: 'float' },
  { name: 'ssh_client', kind: 'text' },
  { name: 'ssh_server', kind: 'text' },
  { name: 'dns_query', kind: 'text' },
  { name: 'dns_qtype', kind: 'text' },
  { name: 'pg_auth', kind: 'text' },
  { name: 'mysql_auth_plugin', kind: 'text' },
  { name: 'snmp_version', kind: 'text' },
  { name: 'app_version', kind: 'text' },
  { name: 'auth_mech', kind: 'text' },
];

/** Columns named in the INSERT, in TSV order. */
export const FLOW_INSERT_COLUMNS: readonly string[] = ['agent', ...FLOW_COLUMNS.map((c) => c.name)];

const MAX_BY_KIND: Record<'u16' | 'u32' | 'u64', number> = {
  u16: 0xffff,
  u32: 0xffff_ffff,
  u64: Number.MAX_SAFE_INTEGER,
};

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** A string as one TabSeparated field. */
export function tsvText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]!) : s;
}

export interface EncodedFlows {
  rows: number;
  /** Each ≤ MAX_INSERT_ROWS rows; every line ends with '\n'. Own ArrayBuffers (transferable). */
  chunks: Uint8Array[];
}

export type EncodeResult = { ok: true; value: EncodedFlows } | { ok: false; message: string };

/** Grows-on-demand output buffer; allocUnsafeSlow so each chunk owns its memory (no pool sharing). */
function newChunkBuffer(rows: number): Buffer {
  return Buffer.allocUnsafeSlow(Math.max(4096, rows * 256));
}

const COLUMN_INDEX = new Map<string, number>(FLOW_COLUMNS.map((c, i) => [c.name, i]));
const ABSENT = '\\N';
/** Lines gathered into one string before a Buffer write (one UTF-8 encode call per ~16 KB, not per line). */
const LINES_PER_WRITE = 64;

/** One field's TSV text, or null when the table cannot hold the value. */
function fieldText(kind: ColumnKind, v: unknown): string | null {
  switch (kind) {
    case 'text':
    case 'time':
      return tsvText(String(v));
    case 'ip': {
      const s = String(v);
      return isIP(s) === 0 || s.includes('%') ? null : s;
    }
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
    default:
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_BY_KIND[kind] ? String(v) : null;
  }
}

/** The message for the first field, in column order, that the table cannot hold. */
function firstProblem(r: Record<string, unknown>, i: number): string {
  for (const c of FLOW_COLUMNS) {
    const v = r[c.name];
    if (v === undefined || v === null || fieldText(c.kind, v) !== null) continue;
    const what =
      c.kind === 'ip' ? 'not an IPv4 or IPv6 address'
      : c.kind === 'float' ? 'must be a finite number'
      : `must be an integer from 0 to ${MAX_BY_KIND[c.kind as 'u16' | 'u32' | 'u64']}`;
    return `records/${i}/${c.name}: ${what}`;
  }
  return `records/${i}: invalid`;
}

/**
 * Encodes records (already checked against FlowRecordSchema) for `INSERT INTO flows (FLOW_INSERT_COLUMNS)
 * FORMAT TabSeparated`. Returns a message naming the record and field for values the schema lets through
 * but the table cannot hold (an address that is not an IP, an integer past its column's range).
 * NOTE: a record's own keys are walked (for…in over a JSON.parse object uses V8's enum cache), not the
 * 46 columns: most labels are absent, and a lookup of a missing key per column cost ~35 % of the encode.
 */
export function encodeFlowsTsv(records: readonly FlowRecord[], agent: string, maxRows = MAX_INSERT_ROWS): EncodeResult {
  const kinds = FLOW_COLUMNS.map((c) => c.kind);
  const fields: string[] = new Array<string>(kinds.length).fill(ABSENT);
  const prefix = `${tsvText(agent)}\t`;
  const chunks: Uint8Array[] = [];
  let buf = newChunkBuffer(Math.min(records.length, maxRows));
  let off = 0;
  let inChunk = 0;
  let text = '';
  let lines = 0;
  const write = (): void => {
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    const worst = text.length * 3;
    if (off + worst > buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, off + worst));
      buf.copy(grown, 0, 0, off);
      buf = grown;
    }
    off += buf.write(text, off);
    text = '';
    lines = 0;
  };
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as unknown as Record<string, unknown>;
    fields.fill(ABSENT);
    for (const k in r) {
      const c = COLUMN_INDEX.get(k);
      if (c === undefined) continue;
      const v = r[k];
      if (v === undefined || v === null) continue;
      const f = fieldText(kinds[c]!, v);
      if (f === null) return { ok: false, message: firstProblem(r, i) };
      fields[c] = f;
    }
    text += prefix + fields.join('\t') + '\n';
    if (++lines === LINES_PER_WRITE) write();
    if (++inChunk === maxRows) {
      if (lines > 0) write();
      chunks.push(new Uint8Array(buf.buffer, buf.byteOffset, off));
      buf = newChunkBuffer(Math.min(records.length - i - 1, maxRows));
      off = 0;
      inChunk = 0;
    }
  }
  if (lines > 0) write();
  if (inChunk > 0) chunks.push(new Uint8Array(buf.buffer, buf.byteOffset, off));
  return { ok: true, value: { rows: records.length, chunks } };
}
