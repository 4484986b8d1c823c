// The fast path of decodeIngestBody (ingest-batch.ts): the body's `records` array goes from JSON bytes
// straight to the Native blocks of encodeFlowsNative, without JSON.parse building 50 000 objects and
// without the schema walk over them. On the 2 M-packet capture (101 159 records, 48 MB of JSON) the
// full path costs ~1 CPU s in the worker plus the garbage collector's share; this one a fraction of it.
//
// NOTE: it is an optimisation only, never a second validator with its own opinions. It accepts a
// record only when it is sure the full path would (same schema rules, read from FlowRecordSchema
// itself; same encoder checks) and writes the very bytes encodeFlowsNative would write. Anything it does
// not handle — a string with an escape or a non-ASCII byte, a number with a sign, fraction or exponent
// where an integer goes, a duplicate key, null, an empty array, a schema keyword it does not know —
// makes it give up (null), and the caller runs the full path, which then accepts or answers with its
// usual message. Everything in the body except the records (batch_id, agent, sent_at, names, stats,
// unknown fields) still goes through JSON.parse and the TypeBox check, with `records` replaced by `[]`.
import { isIP } from 'node:net';
import { FlowRecordSchema } from '../../common/flow-record-schema.js';
import { FLOW_COLUMNS, flowBlockColumns, type ColumnKind } from '../store/flow-columns.js';
import { MAX_INSERT_ROWS } from '../store/limits.js';
import { ipBytes, sealBlock, writeTime, type NativeColumn } from '../store/native-block.js';

/** What one record field must be (from FlowRecordSchema) and how the encoder checks it (FLOW_COLUMNS). */
type Rule =
  | { t: 'enum'; options: Uint8Array[] }
  | { t: 'str'; max: number; dateTime: boolean; ip: boolean }
  | { t: 'int'; min: number; max: number }
  | { t: 'num' };

interface Plan {
  rules: Rule[];
  /** Column names as bytes, for the key lookup. */
  names: Uint8Array[];
  /** Column indexes every record must have. */
  required: number[];
  /** Open-addressing table: hash of a key's bytes → column index (-1 empty). */
  table: Int16Array;
}

const KIND_MAX: Record<'u16' | 'u32' | 'u64', number> = { u16: 0xffff, u32: 0xffff_ffff, u64: Number.MAX_SAFE_INTEGER };
const TABLE_SIZE = 256;
const ascii = new TextEncoder();

function keyHash(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  return (n * 31 + b[s]! * 7 + b[e - 1]! * 13 + b[s + (n >> 1)]! * 3) & (TABLE_SIZE - 1);
}

/**
 * The rules of each column's field, or null when the schema uses something this path does not
 * implement (then the fast path is off and every body takes the full path).
 */
function buildPlan(): Plan | null {
  const schema = FlowRecordSchema as unknown as { properties: Record<string, Record<string, unknown>>; required?: string[] };
  const props = schema.properties;
  if (Object.keys(props).length !== FLOW_COLUMNS.length) return null;
  const rules: Rule[] = [];
  for (const c of FLOW_COLUMNS) {
    const p = props[c.name];
    if (p === undefined) return null;
    const rule = ruleOf(p, c.kind);
    if (rule === null) return null;
    rules.push(rule);
  }
  const names = FLOW_COLUMNS.map((c) => ascii.encode(c.name));
  const table = new Int16Array(TABLE_SIZE).fill(-1);
  names.forEach((n, i) => {
    let h = keyHash(n, 0, n.length);
    while (table[h] !== -1) h = (h + 1) & (TABLE_SIZE - 1);
    table[h] = i;
  });
  const required = (schema.required ?? []).map((k) => FLOW_COLUMNS.findIndex((c) => c.name === k));
  if (required.some((i) => i < 0)) return null;
  return { rules, names, required, table };
}

function onlyKeys(p: Record<string, unknown>, allowed: string[]): boolean {
  return Object.keys(p).every((k) => allowed.includes(k));
}

function ruleOf(p: Record<string, unknown>, kind: ColumnKind): Rule | null {
  if (Array.isArray(p.anyOf)) {
    if (!onlyKeys(p, ['anyOf']) || kind !== 'text') return null;
    const options: Uint8Array[] = [];
    for (const o of p.anyOf as Record<string, unknown>[]) {
      if (!onlyKeys(o, ['const', 'type']) || typeof o.const !== 'string' || !/^[\x20-\x7e]*$/.test(o.const) || /["\\]/.test(o.const)) return null;
      options.push(ascii.encode(o.const));
    }
    return { t: 'enum', options };
  }
  switch (p.type) {
    case 'string': {
      if (!onlyKeys(p, ['type', 'maxLength', 'format'])) return null;
      if (p.format !== undefined && !(p.format === 'date-time' && kind === 'time')) return null;
      if (kind !== 'text' && kind !== 'time' && kind !== 'ip') return null;
      if (kind === 'time' && p.format !== 'date-time') return null;
      return { t: 'str', max: typeof p.maxLength === 'number' ? p.maxLength : Infinity, dateTime: kind === 'time', ip: kind === 'ip' };
    }
    case 'integer': {
      if (!onlyKeys(p, ['type', 'minimum', 'maximum'])) return null;
      if (kind !== 'u16' && kind !== 'u32' && kind !== 'u64') return null;
      const min = typeof p.minimum === 'number' ? p.minimum : -Infinity;
      const max = Math.min(typeof p.maximum === 'number' ? p.maximum : Infinity, KIND_MAX[kind]);
      return { t: 'int', min, max };
    }
    case 'number':
      if (!onlyKeys(p, ['type']) || kind !== 'float') return null;
      return { t: 'num' };
    default:
      return null;
  }
}

export interface FastRecords {
  /** Records encoded. */
  rows: number;
  /** As encodeFlowsNative's chunks: Native blocks of ≤ maxRows rows, each in a SharedArrayBuffer of its own. */
  chunks: Uint8Array[];
}

export interface FastBody {
  /** The body with its `records` array replaced by `[]` (everything else as sent), for JSON.parse. */
  rest: Uint8Array;
  /** The agent the rows were written with (the caller checks it is the batch's `agent`). */
  agent: string;
  records: FastRecords;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(b: Uint8Array, p: number): number {
  while (p < b.length && isWs(b[p]!)) p++;
  return p;
}

/**
 * Where the string whose contents start at s closes (the index of its '"'), or -1 when it holds
 * anything this path leaves to the full one (an escape, a control byte, non-ASCII) or never closes.
 */
function plainStringEnd(b: Uint8Array, s: number, n: number): number {
  for (let e = s; e < n; e++) {
    const x = b[e]!;
    if (x === QUOTE) return e;
    if (x === BACKSLASH || x < 0x20 || x > 0x7e) return -1;
  }
  return -1;
}

/**
 * The end of the JSON value starting at p, or -1. Not a validator: it only finds where the value
 * ends (strings with their escapes, nesting); what it skips is parsed by JSON.parse later.
 */
function skipValue(b: Uint8Array, p: number): number {
  const n = b.length;
  if (p >= n) return -1;
  const c = b[p]!;
  if (c === QUOTE) return skipString(b, p);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    for (let i = p; i < n; i++) {
      const x = b[i]!;
      if (x === QUOTE) {
        i = skipString(b, i);
        if (i < 0) return -1;
        i--;
      } else if (x === LBRACE || x === LBRACKET) depth++;
      else if (x === RBRACE || x === RBRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = p;
  while (i < n) {
    const x = b[i]!;
    if (x === COMMA || x === RBRACE || x === RBRACKET || isWs(x)) break;
    i++;
  }
  return i > p ? i : -1;
}

/** The index after the closing quote of the string starting at p, or -1. */
function skipString(b: Uint8Array, p: number): number {
  for (let i = p + 1; i < b.length; i++) {
    const x = b[i]!;
    if (x === BACKSLASH) i++;
    else if (x === QUOTE) return i + 1;
  }
  return -1;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True when bytes [s, e) are one valid JSON value (whatever it is). */
function validJson(b: Uint8Array, s: number, e: number): boolean {
  try {
    JSON.parse(utf8.decode(b.subarray(s, e)));
    return true;
  } catch {
    return false;
  }
}

function sameBytes(b: Uint8Array, s: number, e: number, want: Uint8Array): boolean {
  if (e - s !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (b[s + i] !== want[i]) return false;
  return true;
}

/** The four numbers of the dotted quad isIPv4Bytes accepted last. */
const quad = new Uint8Array(4);

/**
 * True for dotted-quad IPv4 as node:net's isIPv4 accepts it (0–255, no leading zeros), its numbers then
 * in `quad`; false: ask isIP.
 */
export function isIPv4Bytes(b: Uint8Array, s: number, e: number): boolean {
  let i = s;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (b[i] !== 0x2e) return false;
      i++;
    }
    const f = i;
    let v = 0;
    while (i < e && i - f < 3 && b[i]! >= 0x30 && b[i]! <= 0x39) v = v * 10 + b[i++]! - 0x30;
    const len = i - f;
    if (len === 0 || v > 255 || (len > 1 && b[f] === 0x30)) return false;
    quad[part] = v;
  }
  return i === e;
}

/**
 * Makes the transcoder. `dateTime` is the schema check's own `date-time` format (TypeBox's
 * FormatRegistry entry that ingest-batch.ts registers), so both paths accept the same times.
 * Returns null when the schema has something the fast path does not implement.
 */
export function createFastDecoder(
  dateTime: (s: string) => boolean,
  opts: { maxRows?: number; maxRecords?: number; agentTimes?: boolean } = {},
) {
  const maxRows = opts.maxRows ?? MAX_INSERT_ROWS;
  const maxRecords = opts.maxRecords ?? Infinity;
  const agentTimes = opts.agentTimes === true;
  const plan = buildPlan();
  if (plan === null) return null;
  const { rules, names, required, table } = plan;
  const ncols = rules.length;
  // The rules as flat arrays: the hot loop then reads numbers, not objects of four shapes.
  const T_ENUM = 0, T_STR = 1, T_TIME = 2, T_IP = 3, T_INT = 4, T_NUM = 5;
  const ruleType = new Uint8Array(ncols);
  // How each column is written (the integer kinds differ in width).
  const K_TEXT = 0, K_TIME = 1, K_IP = 2, K_U16 = 3, K_U32 = 4, K_U64 = 5, K_FLOAT = 6;
  const KIND_CODE: Record<ColumnKind, number> = { text: K_TEXT, time: K_TIME, ip: K_IP, u16: K_U16, u32: K_U32, u64: K_U64, float: K_FLOAT };
  const colKind = Uint8Array.from(FLOW_COLUMNS, (c) => KIND_CODE[c.kind]);
  const ruleMin = new Float64Array(ncols);
  const ruleMax = new Float64Array(ncols);
  const enumOptions: Uint8Array[][] = [];
  rules.forEach((r, i) => {
    enumOptions.push(r.t === 'enum' ? r.options : []);
    if (r.t === 'enum') ruleType[i] = T_ENUM;
    else if (r.t === 'int') {
      ruleType[i] = T_INT;
      ruleMin[i] = r.min;
      ruleMax[i] = r.max;
    } else if (r.t === 'num') ruleType[i] = T_NUM;
    else {
      ruleType[i] = r.dateTime ? T_TIME : r.ip ? T_IP : T_STR;
      ruleMax[i] = r.max;
    }
  });
  const seen = new Uint32Array(ncols);
  const ip = new Uint8Array(16);
  let generation = 0;

  function lookup(b: Uint8Array, s: number, e: number): number {
    if (e === s) return -1;
    let h = keyHash(b, s, e);
    for (;;) {
      const i = table[h]!;
      if (i === -1) return -1;
      if (sameBytes(b, s, e, names[i]!)) return i;
      h = (h + 1) & (TABLE_SIZE - 1);
    }
  }

  /** An absent field: its column's default, as encodeFlowsNative writes it. */
  function writeDefault(col: NativeColumn, kind: number): void {
    const v = col.values;
    if (kind === K_TEXT) v.u8(0);
    else if (kind === K_IP) {
      ip.fill(0);
      v.ip16(ip);
    } else if (kind === K_U16) v.u16(0);
    else if (kind === K_U32) v.u32(0);
    else if (kind === K_FLOAT) {
      col.nulls!.u8(1);
      v.f64(0);
    } else v.i64(0);
  }

  /** Records array at p (its '[') → rows; null to give up. */
  function records(buf: Uint8Array, text: Buffer, p: number, agent: Uint8Array): { end: number; value: FastRecords } | null {
    const n = buf.length;
    if (buf[p] !== LBRACKET) return null;
    p = skipWs(buf, p + 1);
    if (buf[p] === RBRACKET) return null; // no records: the full path handles names-only batches
    // ~300 bytes of JSON a record; columns hold ~2 bytes of Native per byte of text label.
    const cols = flowBlockColumns(Math.min(maxRows, Math.ceil((n - p) / 300)));
    const chunks: Uint8Array[] = [];
    let rows = 0;
    let inChunk = 0;
    for (;;) {
      // --- one record ---
      if (buf[p] !== LBRACE) return null;
      generation++;
      p = skipWs(buf, p + 1);
      if (buf[p] === RBRACE) return null; // an empty object lacks the required fields
      for (;;) {
        if (buf[p] !== QUOTE) return null;
        const ks = p + 1;
        const ke = plainStringEnd(buf, ks, n);
        if (ke < 0) return null;
        p = skipWs(buf, ke + 1);
        if (buf[p] !== COLON) return null;
        p = skipWs(buf, p + 1);
        const ci = lookup(buf, ks, ke);
        if (ci < 0) {
          // A field the schema does not name: allowed (additionalProperties) and not stored, but it
          // must still be JSON.
          const e = skipValue(buf, p);
          if (e < 0 || !validJson(buf, p, e)) return null;
          p = e;
        } else {
          if (seen[ci] === generation) return null; // duplicate key: JSON.parse keeps the last one
          seen[ci] = generation;
          const type = ruleType[ci]!;
          // Fields go straight into their column (a column is written once per record: duplicates
          // gave up above); absent ones get their default once the record ends.
          const col = cols[ci + 1]!;
          if (type === T_INT) {
            let i = p;
            let v = 0;
            const c0 = buf[i];
            if (c0 === 0x30) i++;
            else if (c0 !== undefined && c0 >= 0x31 && c0 <= 0x39) {
              while (i < n) {
                const d = buf[i]! - 0x30;
                if (d < 0 || d > 9) break;
                v = v * 10 + d;
                i++;
                if (i - p > 16) return null;
              }
            } else return null;
            const after = buf[i];
            if (after === 0x2e || after === 0x65 || after === 0x45 || (after !== undefined && after >= 0x30 && after <= 0x39)) return null;
            if (v < ruleMin[ci]! || v > ruleMax[ci]!) return null;
            const kind = colKind[ci];
            if (kind === K_U16) col.values.u16(v);
            else if (kind === K_U32) col.values.u32(v);
            else col.values.i64(v);
            p = i;
          } else if (type === T_NUM) {
            const e = numberEnd(buf, p);
            if (e < 0) return null;
            const v = Number(text.toString('latin1', p, e));
            if (!Number.isFinite(v)) return null;
            col.nulls!.u8(0);
            col.values.f64(v);
            p = e;
          } else {
            if (buf[p] !== QUOTE) return null;
            const s = p + 1;
            const e = plainStringEnd(buf, s, n);
            if (e < 0) return null;
            if (type === T_ENUM) {
              const options = enumOptions[ci]!;
              let ok = false;
              for (let k = 0; k < options.length; k++) {
                if (sameBytes(buf, s, e, options[k]!)) {
                  ok = true;
                  break;
                }
              }
              if (!ok) return null;
              col.values.bytes(buf, s, e);
            } else {
              if (e - s > ruleMax[ci]!) return null;
              if (type === T_TIME) {
                // writeTime's parser reads a subset of the schema's DATE_TIME pattern (and refuses days a
                // month does not have, as the encoder does): with that pattern in force, what it takes the
                // schema takes.
                if (!agentTimes && !dateTime(text.toString('latin1', s, e))) return null;
                if (!writeTime(col.values, buf, s, e)) return null;
              } else if (type === T_IP) {
                if (isIPv4Bytes(buf, s, e)) col.values.ipv4(quad[0]!, quad[1]!, quad[2]!, quad[3]!);
                else {
                  const t = text.toString('latin1', s, e);
                  if (isIP(t) === 0 || t.includes('%') || !ipBytes(t, ip)) return null;
                  col.values.ip16(ip);
                }
              } else col.values.bytes(buf, s, e);
            }
            p = e + 1;
          }
        }
        p = skipWs(buf, p);
        const sep = buf[p];
        if (sep === COMMA) {
          p = skipWs(buf, p + 1);
          continue;
        }
        if (sep === RBRACE) break;
        return null;
      }
      p++; // past '}'
      for (let r = 0; r < required.length; r++) if (seen[required[r]!] !== generation) return null;
      // --- the rest of its row: the agent, and the defaults of the fields it does not have ---
      cols[0]!.values.bytes(agent, 0, agent.length);
      for (let ci = 0; ci < ncols; ci++) if (seen[ci] !== generation) writeDefault(cols[ci + 1]!, colKind[ci]!);
      rows++;
      if (rows > maxRecords) return null;
      if (++inChunk === maxRows) {
        chunks.push(sealBlock(cols, inChunk));
        inChunk = 0;
      }
      p = skipWs(buf, p);
      const sep = buf[p];
      if (sep === COMMA) {
        p = skipWs(buf, p + 1);
        continue;
      }
      if (sep === RBRACKET) break;
      return null;
    }
    if (inChunk > 0) chunks.push(sealBlock(cols, inChunk));
    return { end: p + 1, value: { rows, chunks } };
  }

  /** The whole body: its top-level object scanned, records transcoded, the rest kept for JSON.parse. */
  return function fastBody(body: Uint8Array): FastBody | null {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const buf = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    const n = buf.length;
    let p = skipWs(buf, 0);
    if (buf[p] !== LBRACE) return null;
    p = skipWs(buf, p + 1);
    let recStart = -1;
    let recEnd = -1;
    let agent: string | null = null;
    let encoded: FastRecords | null = null;
    if (buf[p] === RBRACE) return null;
    for (;;) {
      if (buf[p] !== QUOTE) return null;
      const ks = p + 1;
      const ke = skipString(buf, p) - 1;
      if (ke < 0) return null;
      p = skipWs(buf, ke + 1);
      if (buf[p] !== COLON) return null;
      p = skipWs(buf, p + 1);
      if (buf.subarray(ks, ke).includes(BACKSLASH)) return null; // an escaped key may spell "records"
      const key = text.toString('latin1', ks, ke);
      if (key === 'records') {
        if (recStart >= 0) return null; // twice: JSON.parse keeps the last
        recStart = p;
        if (agent !== null) {
          const r = records(buf, text, p, agentBytes(agent));
          if (r === null) return null;
          encoded = r.value;
          p = r.end;
        } else {
          p = skipValue(buf, p);
          if (p < 0) return null;
        }
        recEnd = p;
      } else {
        const vs = p;
        p = skipValue(buf, p);
        if (p < 0) return null;
        if (key === 'agent' && agent === null && buf[vs] === QUOTE) {
          try {
            const a: unknown = JSON.parse(utf8.decode(buf.subarray(vs, p)));
            if (typeof a === 'string') agent = a;
          } catch {
            return null;
          }
        }
      }
      p = skipWs(buf, p);
      if (buf[p] === COMMA) {
        p = skipWs(buf, p + 1);
        continue;
      }
      if (buf[p] === RBRACE) break;
      return null;
    }
    if (skipWs(buf, p + 1) !== n || recStart < 0 || agent === null) return null;
    if (encoded === null) {
      const r = records(buf, text, recStart, agentBytes(agent));
      if (r === null || r.end !== recEnd) return null;
      encoded = r.value;
    }
    const rest = Buffer.allocUnsafe(recStart + 2 + (n - recEnd));
    text.copy(rest, 0, 0, recStart);
    rest[recStart] = LBRACKET;
    rest[recStart + 1] = RBRACKET;
    text.copy(rest, recStart + 2, recEnd, n);
    return { rest, agent, records: encoded };
  };
}

function agentBytes(agent: string): Uint8Array {
  return Buffer.from(agent, 'utf8');
}

/** End of a JSON number token at p (RFC 8259 §6 grammar), or -1. */
function numberEnd(b: Uint8Array, p: number): number {
  let i = p;
  const digit = (x: number | undefined) => x !== undefined && x >= 0x30 && x <= 0x39;
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (digit(b[i]) && b[i] !== 0x30) while (digit(b[i])) i++;
  else return -1;
  if (b[i] === 0x2e) {
    i++;
    if (!digit(b[i])) return -1;
    while (digit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!digit(b[i])) return -1;
    while (digit(b[i])) i++;
  }
  if (digit(b[i])) return -1;
  return i;
}

/**
 * A made-up but valid ingest body of `n` records that takes every branch of the fast path (IPv4 and
 * IPv6, every label, a JWT lifetime), for warming up the JIT when a decode worker starts: a fresh
 * worker otherwise runs its first batches in V8's interpreter, several times slower.
 */
export function warmUpBody(n: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const v6 = i % 3 === 0;
    const src = v6 ? `2001:db8::${(i % 65535).toString(16)}` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const dst = v6 ? 'fd00:2::8' : '192.0.2.53';
    const t = `2026-11-28T09:${String(i % 60).padStart(2, '0')}:00.${String(i % 1_000_000).padStart(6, '0')}Z`;
    let r =
      `{"proto":"${['tcp', 'udp', 'icmp', 'icmp6'][i % 4]}","src":"${src}","sport":${i % 65536},"dst":"${dst}","dport":${(i * 7) % 65536},` +
      `"start":"${t}","end":"${t}","orig_pkts":${i},"resp_pkts":${i % 7},"orig_ip_bytes":${i * 60},"resp_ip_bytes":${i * 3},` +
      `"orig_bytes":${i * 20},"resp_bytes":0,"state":"SF","history":"ShADadFf","end_reason":"${['idle', 'fin', 'rst', 'eof'][i % 4]}",` +
      `"initiator":"${['syn', 'port', 'first'][i % 3]}","sampling":1,"frags":${i % 2},"vlan":${i % 4096}`;
    switch (i % 5) {
      case 0:
        r += ',"app":"tls","auth":"unknown","encryption":"tls","tls_version":"TLS 1.3","sni":"api.example.org","alpn":"h2,http/1.1","ja4":"t13d1516h2_8daaf6152771_e5627efa2ab1","tls_client_cert":"sent"';
        break;
      case 1:
        r += ',"app":"http","auth":"bearer","encryption":"none","http_host":"files.example.org:8080","http_method":"GET","http_path_class":"metrics","user_agent_family":"curl","jwt_alg":"RS256","jwt_lifetime_s":' + (i % 2 ? '900' : '1.5');
        break;
      case 2:
        r += ',"app":"dns","auth":"none","encryption":"none","dns_query":"printer.office.example","dns_qtype":"A"';
        break;
      case 3:
        r += ',"app":"postgres","app_guess":"port","auth":"scram","encryption":"none","pg_auth":"scram-sha-256","mysql_auth_plugin":"caching_sha2_password","ssh_client":"OpenSSH_9.2p1","ssh_server":"OpenSSH_9.2p1","snmp_version":"2c","app_version":"MQTT 3.1.1","auth_mech":"SCRAM-SHA-256"';
        break;
      default:
        break;
    }
    parts.push(`${r}}`);
  }
  return ascii.encode(`{"batch_id":"warm-up","agent":"warm-up","records":[${parts.join(',')}],"sent_at":"2026-11-28T09:00:00.000Z"}`);
}
