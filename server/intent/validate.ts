// Validation of a parsed intent file (any JS value, as YAML gives it): the shape against the TypeBox
// schema, then what a schema cannot say — valid CIDRs without host bits, unique names and ids, one zone
// per prefix, real dates, rules that point at declared zones and jewels, text without control characters.
// Issues carry a path of segments (['zones', 1, 'cidrs', 0]); intent-file.ts turns them into line:column.
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { EMPTY_INTENT, INTENT_SECTIONS, INTERNET_ZONE, UNASSIGNED_ZONE, type Intent } from './model.js';
import { formatCidr, parseIp, parsePrefix } from './ip.js';
import { HOST_NAME_MAX, IntentFileSchema } from './schema.js';

export type Segment = string | number;

export interface RawIssue {
  path: Segment[];
  message: string;
  /** Point at the key rather than its value (unknown fields). */
  atKey?: boolean;
}

/** Where a path is, for messages that name a second place ("line 6" in a file, else the path). */
export type Locator = (path: Segment[]) => string;

/** At most this many issues are reported; a file with more has a bigger problem than a list can show. */
export const MAX_ISSUES = 50;

export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** A value quoted for a message: JSON escapes (control characters show as \u…), long values cut. */
export function quote(value: unknown): string {
  const s = JSON.stringify(typeof value === 'string' && value.length > 80 ? `${value.slice(0, 77)}…` : value);
  return s ?? String(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return quote(value);
}

function pointerToPath(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function schemaMessage(e: ValueError): string {
  const s = e.schema as { description?: string; minLength?: number; maxLength?: number; minItems?: number; minimum?: number; maximum?: number };
  const v = e.value;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'missing (required)';
    case ValueErrorType.ObjectAdditionalProperties: {
      const known = Object.keys((e.schema as { properties?: object }).properties ?? {});
      return `unknown field${known.length > 0 ? `; the fields are ${known.join(', ')}` : ''}`;
    }
    case ValueErrorType.String:
      return typeof v === 'number' || typeof v === 'boolean'
        ? `must be text: write it in quotes ("${String(v)}")`
        : `must be text, not ${describe(v)}`;
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'must not be empty' : `${quote(v)} is shorter than ${s.minLength} characters`;
    case ValueErrorType.StringMaxLength:
      return `is longer than ${s.maxLength} characters`;
    case ValueErrorType.StringPattern:
      return `${quote(v)} is not valid: ${s.description ?? 'wrong format'}`;
    case ValueErrorType.Array:
      return `must be a list, not ${describe(v)}`;
    case ValueErrorType.ArrayMinItems:
      return s.minItems === 1 ? 'must list at least one entry' : `must list at least ${s.minItems} entries`;
    case ValueErrorType.ArrayMaxItems:
      return 'has too many entries';
    case ValueErrorType.Object:
      return `must be a map of fields, not ${describe(v)}`;
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
      return `must be a whole number, not ${describe(v)}`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMaximum:
      return `${quote(v)} is out of range: ${s.description ?? `${s.minimum ?? ''}–${s.maximum ?? ''}`}`;
    case ValueErrorType.Union:
      return `${describe(v)} is not ${s.description ?? 'valid'}`;
    default:
      return e.message;
  }
}

// C0 controls (tab and line feed are handled per field), DEL, C1, and the invisible format characters
// that make text read differently from what it is (bidi overrides, zero-width, BOM).
const BAD_CHAR = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** Why `s` is not acceptable people-facing text, or null. */
export function textProblem(s: string, multiline: boolean): string | null {
  const bad = BAD_CHAR.exec(s) ?? (multiline ? null : /[\t\n]/.exec(s));
  if (bad !== null) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `contains the control or invisible character U+${code}${!multiline && /[\t\n]/.test(bad[0]) ? ' (must be one line)' : ''}`;
  }
  if (s.trim() === '') return 'must not be blank';
  return null;
}

/** Why `s` is not an address or CIDR, or null. */
export function cidrProblem(s: string): string | null {
  const p = parsePrefix(s);
  if (p.ok) return null;
  if (p.reason === 'host-bits') {
    return `${quote(s)} has host bits set: the network is ${p.network} (or write ${p.host} for the one address)`;
  }
  return `${quote(s)} is not a valid IP address or CIDR`;
}

/** An address (or CIDR) as opposed to a name, in a crown jewel's `match`. */
export function looksLikeAddress(s: string): boolean {
  return s.includes(':') || s.includes('/') || /^[0-9.]+$/.test(s);
}

const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/;

const DATE =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/;

/** Milliseconds since the epoch of an ISO date or date-time with a zone, or a reason it is not one. */
export function parseDate(s: string): number | string {
  const m = DATE.exec(s);
  if (m === null) return 'is not an ISO date (2026-11-20) or date-time (2026-11-20T09:30:00Z)';
  const [, y, mo, d, h, mi, sec, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || probe.getUTCDate() !== day) return `is not a real date (${y}-${mo}-${d})`;
  if (h === undefined) return probe.getTime();
  if (zone === undefined) return 'is a date-time without a time zone: add Z (UTC) or an offset such as +01:00';
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec ?? 0) > 60) return 'has an invalid time of day';
  const t = Date.parse(s.replace(' ', 'T').replace(/([+-][0-9]{2})([0-9]{2})$/, '$1:$2'));
  return Number.isNaN(t) ? 'is not a valid date-time' : t;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Checks a parsed file. Returns the intent when there are no issues (missing sections become empty
 * lists), else the issues (at most MAX_ISSUES, in file order per check).
 */
export function validateIntent(value: unknown, at: Locator = formatPath): { intent: Intent; issues: [] } | { intent: null; issues: RawIssue[] } {
  if (value === null || value === undefined) return { intent: structuredClone(EMPTY_INTENT), issues: [] };
  if (!isObj(value)) {
    return { intent: null, issues: [{ path: [], message: `the file must be a map with the keys ${INTENT_SECTIONS.join(', ')}; it is ${describe(value)}` }] };
  }
  // `zones:` with nothing after it is an empty section, not an error.
  const file: Obj = { ...value };
  for (const k of INTENT_SECTIONS) if (file[k] === null) file[k] = [];

  const issues: RawIssue[] = [];
  const seen = new Set<string>();
  const add = (issue: RawIssue) => {
    const key = formatPath(issue.path);
    if (seen.has(key) || issues.length >= MAX_ISSUES + 1) return;
    seen.add(key);
    issues.push(issue);
  };

  for (const e of Value.Errors(IntentFileSchema, file)) {
    add({ path: pointerToPath(e.path), message: schemaMessage(e), atKey: e.type === ValueErrorType.ObjectAdditionalProperties });
    if (issues.length > MAX_ISSUES) break;
  }
  checkSemantics(file, add, at);

  if (issues.length === 0) {
    const intent: Intent = {
      zones: list(file.zones) as Intent['zones'],
      crown_jewels: list(file.crown_jewels) as Intent['crown_jewels'],
      inventory: list(file.inventory) as Intent['inventory'],
      rules: list(file.rules) as Intent['rules'],
    };
    return { intent, issues: [] };
  }
  return { intent: null, issues };
}

function checkText(add: (i: RawIssue) => void, obj: Obj, path: Segment[], fields: Record<string, boolean>) {
  for (const [field, multiline] of Object.entries(fields)) {
    const v = obj[field];
    if (!str(v)) continue;
    const problem = textProblem(v, multiline);
    if (problem !== null) add({ path: [...path, field], message: problem });
  }
}

function checkUnique(add: (i: RawIssue) => void, at: Locator, section: string, key: string, what: string, items: unknown[]) {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isObj(item) || !str(item[key])) return;
    const prev = first.get(item[key]);
    if (prev === undefined) first.set(item[key], i);
    else add({ path: [section, i, key], message: `${what} ${quote(item[key])} is declared twice (first at ${at([section, prev, key])})` });
  });
}

function checkCidrList(add: (i: RawIssue) => void, path: Segment[], cidrs: unknown) {
  list(cidrs).forEach((c, j) => {
    if (!str(c)) return;
    const problem = cidrProblem(c);
    if (problem !== null) add({ path: [...path, j], message: problem });
  });
}

function checkSemantics(file: Obj, add: (i: RawIssue) => void, at: Locator) {
  const zones = list(file.zones);
  const jewels = list(file.crown_jewels);
  const inventory = list(file.inventory);
  const rules = list(file.rules);

  // Zones: built-in names, unique names, valid CIDRs, and each prefix in one zone only.
  checkUnique(add, at, 'zones', 'name', 'zone', zones);
  const owner = new Map<string, { zone: string; path: Segment[] }>();
  zones.forEach((z, i) => {
    if (!isObj(z)) return;
    if (z.name === INTERNET_ZONE || z.name === UNASSIGNED_ZONE) {
      add({ path: ['zones', i, 'name'], message: `${quote(z.name)} is a built-in zone (addresses no declared zone covers); pick another name` });
    }
    checkText(add, z, ['zones', i], { description: true });
    list(z.cidrs).forEach((c, j) => {
      if (!str(c)) return;
      const path: Segment[] = ['zones', i, 'cidrs', j];
      const p = parsePrefix(c);
      if (!p.ok) {
        add({ path, message: cidrProblem(c)! });
        return;
      }
      const key = `${p.prefix.net}/${p.prefix.len}`;
      const name = str(z.name) ? z.name : `#${i}`;
      const prev = owner.get(key);
      if (prev === undefined) owner.set(key, { zone: name, path });
      else if (prev.zone === name) add({ path, message: `${formatCidr(p.prefix)} is listed twice in zone ${quote(name)} (first at ${at(prev.path)})` });
      else {
        add({
          path,
          message:
            `${formatCidr(p.prefix)} is in zone ${quote(name)} and in zone ${quote(prev.zone)} (at ${at(prev.path)}); ` +
            'a prefix belongs to one zone (a more specific prefix inside another zone is fine: the most specific wins)',
        });
      }
    });
  });

  // Crown jewels: unique names, match entries that are addresses or names.
  checkUnique(add, at, 'crown_jewels', 'name', 'crown jewel', jewels);
  jewels.forEach((j, i) => {
    if (!isObj(j)) return;
    checkText(add, j, ['crown_jewels', i], { owner: false, why: true });
    list(j.match).forEach((m, k) => {
      if (!str(m)) return;
      const path: Segment[] = ['crown_jewels', i, 'match', k];
      if (looksLikeAddress(m)) {
        const problem = cidrProblem(m);
        if (problem !== null) add({ path, message: problem });
      } else if (!HOST_NAME.test(m) || m.length > HOST_NAME_MAX) {
        add({ path, message: `${quote(m)} is neither an IP, a CIDR nor a host name (letters, digits, '_', '.' and '-')` });
      }
    });
  });

  // Inventory: unique names that are not addresses, one address or CIDR each.
  checkUnique(add, at, 'inventory', 'name', 'inventory item', inventory);
  inventory.forEach((item, i) => {
    if (!isObj(item)) return;
    if (str(item.name) && parseIp(item.name) !== null) {
      add({ path: ['inventory', i, 'name'], message: `${quote(item.name)} is an address; a name is what people call the host (put the address in "address")` });
    }
    if (str(item.address)) {
      const problem = cidrProblem(item.address);
      if (problem !== null) add({ path: ['inventory', i, 'address'], message: problem });
    }
    checkText(add, item, ['inventory', i], { owner: false, role: false });
  });

  // Rules: unique ids, what they protect exists, valid CIDRs, ports and dates.
  checkUnique(add, at, 'rules', 'id', 'rule', rules);
  const zoneNames = new Set([INTERNET_ZONE, UNASSIGNED_ZONE, ...zones.flatMap((z) => (isObj(z) && str(z.name) ? [z.name] : []))]);
  const jewelNames = new Set(jewels.flatMap((j) => (isObj(j) && str(j.name) ? [j.name] : [])));
  rules.forEach((r, i) => {
    if (!isObj(r)) return;
    const path: Segment[] = ['rules', i];
    checkText(add, r, path, { owner: false, reason: true });
    if (isObj(r.protects)) {
      const { jewel, zone } = r.protects;
      if (jewel === undefined && zone === undefined) add({ path: [...path, 'protects'], message: 'must name the crown jewel or the zone the rule protects (jewel: or zone:)' });
      if (str(jewel) && !jewelNames.has(jewel)) add({ path: [...path, 'protects', 'jewel'], message: `there is no crown jewel ${quote(jewel)}` });
      if (str(zone) && !zoneNames.has(zone)) add({ path: [...path, 'protects', 'zone'], message: `there is no zone ${quote(zone)}` });
    }
    for (const end of ['src', 'dst'] as const) {
      const ep = r[end];
      if (isObj(ep)) checkCidrList(add, [...path, end, 'cidrs'], ep.cidrs);
    }
    if ((r.proto === 'icmp' || r.proto === 'icmp6') && r.dport !== undefined) {
      add({ path: [...path, 'dport'], message: `${r.proto} has no ports: leave dport out (the rule admits every ${r.proto} type)` });
    }
    if (isObj(r.dport) && typeof r.dport.from === 'number' && typeof r.dport.to === 'number' && r.dport.from > r.dport.to) {
      add({ path: [...path, 'dport'], message: `the range ${r.dport.from}–${r.dport.to} is backwards: from must be ≤ to` });
    }
    const created = str(r.created) ? parseDate(r.created) : null;
    if (typeof created === 'string') add({ path: [...path, 'created'], message: `${quote(r.created)} ${created}` });
    const expires = str(r.expires) ? parseDate(r.expires) : null;
    if (typeof expires === 'string') add({ path: [...path, 'expires'], message: `${quote(r.expires)} ${expires}` });
    if (typeof created === 'number' && typeof expires === 'number' && expires < created) {
      add({ path: [...path, 'expires'], message: `${quote(r.expires)} is before created (${quote(r.created)})` });
    }
  });
}
