// Test-only: does a FlowRecord hold up as the collector will see it? The schema from
// common/flow-record-schema.ts via TypeBox's Value.Check, plus what the schema cannot say (start ≤ end,
// at least one packet per record, the house timestamp form).
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { FlowRecordSchema } from '../../common/flow-record-schema.js';

// RFC 3339 §5.6 date-time (https://www.rfc-editor.org/rfc/rfc3339#section-5.6): four-digit year.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** What the agent writes: UTC with exactly six fractional digits (common/time.ts isoMicros). */
const HOUSE_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function isRfc3339DateTime(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1]! && h <= 23 && mi <= 59 && sec <= 60;
}

/** TypeBox checks `format` only for registered formats (unknown ones fail); register RFC 3339 once. */
export function registerDateTimeFormat(): void {
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isRfc3339DateTime);
}

/** Problems with one emitted record, [] when it is fine. */
export function flowRecordProblems(r: unknown): string[] {
  registerDateTimeFormat();
  const out: string[] = [];
  if (!Value.Check(FlowRecordSchema, r)) {
    for (const e of [...Value.Errors(FlowRecordSchema, r)].slice(0, 4)) {
      out.push(`schema: ${e.path || '/'} ${e.message} (value ${JSON.stringify(e.value)})`);
    }
    if (out.length === 0) out.push('schema: Value.Check failed');
  }
  const rec = r as Record<string, unknown>;
  for (const k of ['orig_pkts', 'resp_pkts', 'orig_ip_bytes', 'resp_ip_bytes', 'orig_bytes', 'resp_bytes', 'frags']) {
    const v = rec[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) out.push(`${k} is ${String(v)}`);
  }
  const start = rec['start'];
  const end = rec['end'];
  if (typeof start !== 'string' || !HOUSE_FORM.test(start)) out.push(`start ${JSON.stringify(start)} is not YYYY-MM-DDTHH:MM:SS.ffffffZ`);
  if (typeof end !== 'string' || !HOUSE_FORM.test(end)) out.push(`end ${JSON.stringify(end)} is not YYYY-MM-DDTHH:MM:SS.ffffffZ`);
  else if (typeof start === 'string' && HOUSE_FORM.test(start) && start > end) out.push(`start ${start} is after end ${end}`);
  const pk = Number(rec['orig_pkts']) + Number(rec['resp_pkts']);
  if (!(pk >= 1)) out.push(`record without packets (orig_pkts ${String(rec['orig_pkts'])}, resp_pkts ${String(rec['resp_pkts'])})`);
  return out;
}
