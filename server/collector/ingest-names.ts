// The optional `names` of an ingest batch: IP → name pairs from DNS A/AAAA answers, aggregated by the
// agent per batch (agent/ship/names.ts), and their TabSeparated form for the `names` table
// (migration 005: AggregatingMergeTree, first_seen min, last_seen max, flows sum), with source 'dns'.
import { isIP } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import { MAX_INSERT_ROWS } from '../store/limits.js';

/** Pairs per batch at most (the agent sends at most 10 000). */
export const MAX_BATCH_NAMES = 50_000;
export const NAME_SOURCE_DNS = 'dns';

/**
 * Lower-case LDH labels of 1–63 characters (rfc1123 §2.1) plus `_`, dot-separated, no trailing dot;
 * 253 characters at most (rfc1035 §2.3.4). The agent normalises to exactly this (HOST_NAME_PATTERN in
 * agent/ship/names.ts; test/ship-names.test.ts checks the two agree).
 */
export const HOST_NAME_PATTERN = '^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$';

export const IngestNameSchema = Type.Object(
  {
    /** The answer's address: dotted IPv4 or IPv6 text. */
    ip: Type.String({ minLength: 2, maxLength: 45 }),
    /** The name asked for, lower-case, without the trailing dot. */
    name: Type.String({ minLength: 1, maxLength: 253, pattern: HOST_NAME_PATTERN }),
    /** Capture times of the first and last answer in the batch that carried the pair (ISO-8601). */
    first_seen: Type.String({ format: 'date-time' }),
    last_seen: Type.String({ format: 'date-time' }),
    /** Answers that carried the pair; summed into `names.flows`. */
    count: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: true, $id: 'IngestName' },
);

export type IngestName = Static<typeof IngestNameSchema>;

/** Columns named in the INSERT, in TSV order. */
export const NAME_INSERT_COLUMNS: readonly string[] = ['ip', 'name', 'source', 'first_seen', 'last_seen', 'flows'];

const utf8 = new TextEncoder();

/** a < b for RFC 3339 times; the agent's (same length, UTC `Z`) compare as text, others are parsed. */
function before(a: string, b: string): boolean {
  if (a.length === b.length && a.endsWith('Z') && b.endsWith('Z') && a[10] === 'T' && b[10] === 'T') return a < b;
  return Date.parse(a) < Date.parse(b);
}

export type EncodeNamesResult = { ok: true; chunks: Uint8Array[] } | { ok: false; message: string };

/**
 * Names (already checked against IngestNameSchema) → TabSeparated chunks of ≤ maxRows rows, each with
 * its own ArrayBuffer (transferable from the worker). The pattern keeps tabs, newlines and backslashes
 * out of names and times, so nothing needs escaping. A message names the entry and field the table
 * cannot hold: an address that is not an IP, last_seen before first_seen.
 */
export function encodeNamesTsv(names: readonly IngestName[], maxRows = MAX_INSERT_ROWS): EncodeNamesResult {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < names.length; start += maxRows) {
    let text = '';
    const end = Math.min(names.length, start + maxRows);
    for (let i = start; i < end; i++) {
      const n = names[i]!;
      if (isIP(n.ip) === 0 || n.ip.includes('%')) return { ok: false, message: `names/${i}/ip: not an IPv4 or IPv6 address` };
      if (before(n.last_seen, n.first_seen)) return { ok: false, message: `names/${i}/last_seen: before first_seen` };
      text += `${n.ip}\t${n.name}\t${NAME_SOURCE_DNS}\t${n.first_seen}\t${n.last_seen}\t${n.count}\n`;
    }
    chunks.push(utf8.encode(text)); // its own ArrayBuffer (no pool), so it can be transferred
  }
  return { ok: true, chunks };
}
