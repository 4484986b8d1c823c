// FlowRecords → Native blocks for the `flows` table (native-block.ts says why Native). The column list
// below is the one place that maps record fields to columns: a new FlowRecord field is one migration
// (ALTER TABLE flows ADD COLUMN) plus one line here.
import { isIP } from 'node:net';
import type { FlowRecord } from '../../common/flow-record.js';
import { MAX_INSERT_ROWS } from './limits.js';
import { ipBytes, nativeColumn, sealBlock, timeMicros, writeTime, type NativeColumn } from './native-block.js';

/**
 * How a field is written and checked. Integers are range-checked against their column type here
 * because a Native block holds whatever bytes it is given; IPs must be plain IPv4/IPv6 text (IPv4 lands
 * ::ffff:-mapped in the IPv6 columns); times are RFC 3339 (the schema checked the shape; the encoder
 * turns them into microseconds and refuses a day its month does not have).
 */
export type ColumnKind = 'text' | 'ip' | 'time' | 'u16' | 'u32' | 'u64' | 'float';

export interface FlowColumn {
  /** Column in `flows` and field of FlowRecord (same name). */
  name: string;
  kind: ColumnKind;
}

// NOTE: order = the block's column order; `agent` (from the batch, not the record) comes before these.
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

/** Columns named in the INSERT, in block order. */
export const FLOW_INSERT_COLUMNS: readonly string[] = ['agent', ...FLOW_COLUMNS.map((c) => c.name)];

const MAX_BY_KIND: Record<'u16' | 'u32' | 'u64', number> = {
  u16: 0xffff,
  u32: 0xffff_ffff,
  u64: Number.MAX_SAFE_INTEGER,
};

/**
 * The type each kind is sent as in a Native block. LowCardinality(String) columns go as String (the
 * engine converts a whole column at once, native-block.ts); `float` is jwt_lifetime_s, NULL when absent.
 */
export const NATIVE_TYPE_OF_KIND: Record<ColumnKind, string> = {
  text: 'String',
  time: "DateTime64(6, 'UTC')",
  ip: 'IPv6',
  u16: 'UInt16',
  u32: 'UInt32',
  u64: 'UInt64',
  float: 'Nullable(Float64)',
};

/** The Native columns of one flows block, in FLOW_INSERT_COLUMNS order (agent first). */
export function flowBlockColumns(hintRows: number): NativeColumn[] {
  const bytes = (kind: ColumnKind | 'agent'): number => hintRows * (kind === 'ip' ? 16 : kind === 'time' ? 8 : kind === 'text' ? 4 : 8);
  return [
    nativeColumn('agent', 'String', bytes('agent')),
    ...FLOW_COLUMNS.map((c) => nativeColumn(c.name, NATIVE_TYPE_OF_KIND[c.kind], bytes(c.kind))),
  ];
}

export interface EncodedFlows {
  rows: number;
  /** Native blocks for FLOW_INSERT_COLUMNS, each ≤ MAX_INSERT_ROWS rows, in a SharedArrayBuffer of its own. */
  chunks: Uint8Array[];
}

export type EncodeResult = { ok: true; value: EncodedFlows } | { ok: false; message: string };

const COLUMN_INDEX = new Map<string, number>(FLOW_COLUMNS.map((c, i) => [c.name, i]));
const latin1 = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** What to say of a value the table cannot hold, or null when it can. */
function problemOf(kind: ColumnKind, v: unknown): string | null {
  switch (kind) {
    case 'text':
      return null;
    case 'time':
      return typeof v === 'string' && timeMicros(latin1(v), 0, v.length) !== null ? null : 'not a valid date-time';
    case 'ip': {
      const s = String(v);
      return isIP(s) === 0 || s.includes('%') || !ipBytes(s, new Uint8Array(16)) ? 'not an IPv4 or IPv6 address' : null;
    }
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'must be a finite number';
    default:
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_BY_KIND[kind] ? null : `must be an integer from 0 to ${MAX_BY_KIND[kind]}`;
  }
}

/**
 * Encodes records (already checked against FlowRecordSchema) as Native blocks for `INSERT INTO flows
 * (FLOW_INSERT_COLUMNS) FORMAT Native`. Returns a message naming the record and field for values the
 * schema lets through but the table cannot hold (an address that is not an IP, an integer past its
 * column's range, a day its month does not have). An absent field is its column's default: '' for
 * text, 0 for numbers, NULL for jwt_lifetime_s (as `\N` was in TabSeparated).
 */
export function encodeFlowsNative(records: readonly FlowRecord[], agent: string, maxRows = MAX_INSERT_ROWS): EncodeResult {
  const kinds = FLOW_COLUMNS.map((c) => c.kind);
  const ncols = kinds.length;
  const columns = flowBlockColumns(Math.min(records.length, maxRows));
  const values: unknown[] = new Array<unknown>(ncols);
  const ip = new Uint8Array(16);
  const chunks: Uint8Array[] = [];
  let inChunk = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as unknown as Record<string, unknown>;
    values.fill(undefined);
    // NOTE: a record's own keys are walked (for…in over a JSON.parse object uses V8's enum cache), not
    // the 46 columns: most labels are absent, and a lookup of a missing key per column is slower.
    for (const k in r) {
      const c = COLUMN_INDEX.get(k);
      if (c !== undefined) values[c] = r[k];
    }
    columns[0]!.values.text(agent);
    for (let c = 0; c < ncols; c++) {
      const v = values[c];
      const kind = kinds[c]!;
      const col = columns[c + 1]!;
      const absent = v === undefined || v === null;
      const problem = absent ? null : problemOf(kind, v);
      if (problem !== null) return { ok: false, message: `records/${i}/${FLOW_COLUMNS[c]!.name}: ${problem}` };
      switch (kind) {
        case 'text':
          col.values.text(absent ? '' : String(v));
          break;
        case 'time':
          if (absent) col.values.i64(0);
          else writeTime(col.values, latin1(v as string), 0, (v as string).length);
          break;
        case 'ip':
          if (absent) ip.fill(0);
          else ipBytes(String(v), ip);
          col.values.ip16(ip);
          break;
        case 'u16':
          col.values.u16(absent ? 0 : (v as number));
          break;
        case 'u32':
          col.values.u32(absent ? 0 : (v as number));
          break;
        case 'u64':
          col.values.i64(absent ? 0 : (v as number));
          break;
        case 'float':
          col.nulls!.u8(absent ? 1 : 0);
          col.values.f64(absent ? 0 : (v as number));
          break;
      }
    }
    if (++inChunk === maxRows) {
      chunks.push(sealBlock(columns, inChunk));
      inChunk = 0;
    }
  }
  if (inChunk > 0) chunks.push(sealBlock(columns, inChunk));
  return { ok: true, value: { rows: records.length, chunks } };
}
