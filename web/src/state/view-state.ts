// NOTE: the view state lives in the URL so a view can be shared: the page is the path, everything else
// the query. `/map?range=24h&zone=office&all=1`, `/flows?range=custom&from=…&to=…&sort=bytes`.
// Defaults are left out of the URL. Pure functions here; useView.ts binds them to the history API.

export const PAGES = ['map', 'flows', 'inventory', 'zones', 'snapshots', 'exports'] as const;
export type Page = (typeof PAGES)[number];

export const RANGE_KINDS = ['1h', '24h', '7d', 'custom'] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];
export const RANGE_LABELS: Record<RangeKind, string> = { '1h': 'Last hour', '24h': 'Last day', '7d': 'Last 7 days', custom: 'Custom' };
const RANGE_HOURS: Record<Exclude<RangeKind, 'custom'>, number> = { '1h': 1, '24h': 24, '7d': 24 * 7 };
export const DEFAULT_RANGE: RangeKind = '7d';

export const FLOW_SORTS = ['start', 'bytes', 'packets', 'dport'] as const;
export type FlowSort = (typeof FLOW_SORTS)[number];

export interface ViewState {
  page: Page;
  range: RangeKind;
  /** ISO date-times, only with range=custom. */
  from: string | null;
  to: string | null;
  // Filters shared by the map and the flows table.
  zone: string | null;
  port: string | null;
  app: string | null;
  auth: string | null;
  proto: string | null;
  /** Map: show every edge, not only boundary-crossing ones. */
  all: boolean;
  // Flows table.
  src: string | null;
  dst: string | null;
  sort: FlowSort;
  order: 'asc' | 'desc';
  offset: number;
}

export const DEFAULT_VIEW: ViewState = {
  page: 'map',
  range: DEFAULT_RANGE,
  from: null,
  to: null,
  zone: null,
  port: null,
  app: null,
  auth: null,
  proto: null,
  all: false,
  src: null,
  dst: null,
  sort: 'start',
  order: 'desc',
  offset: 0,
};

const STRING_KEYS = ['zone', 'port', 'app', 'auth', 'proto', 'src', 'dst'] as const;

function oneOf<T extends string>(list: readonly T[], v: string | null, fallback: T): T {
  return v !== null && (list as readonly string[]).includes(v) ? (v as T) : fallback;
}

function isoOrNull(v: string | null): string | null {
  if (v === null || v === '') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

export function parseView(pathname: string, search: string): ViewState {
  const q = new URLSearchParams(search);
  const first = pathname.split('/').filter(Boolean)[0] ?? 'map';
  const v: ViewState = { ...DEFAULT_VIEW, page: oneOf(PAGES, first, 'map') };
  v.range = oneOf(RANGE_KINDS, q.get('range'), DEFAULT_RANGE);
  if (v.range === 'custom') {
    v.from = isoOrNull(q.get('from'));
    v.to = isoOrNull(q.get('to'));
    if (v.from === null) v.range = DEFAULT_RANGE;
  }
  for (const k of STRING_KEYS) {
    const s = q.get(k)?.trim();
    v[k] = s ? s : null;
  }
  v.all = q.get('all') === '1';
  v.sort = oneOf(FLOW_SORTS, q.get('sort'), 'start');
  v.order = q.get('order') === 'asc' ? 'asc' : 'desc';
  const off = Number(q.get('offset'));
  v.offset = Number.isInteger(off) && off > 0 ? off : 0;
  return v;
}

/** Path + query of a view; defaults left out, keys in a fixed order (stable, diffable links). */
export function viewToUrl(v: ViewState): string {
  const q = new URLSearchParams();
  if (v.range !== DEFAULT_RANGE) q.set('range', v.range);
  if (v.range === 'custom') {
    if (v.from) q.set('from', v.from);
    if (v.to) q.set('to', v.to);
  }
  for (const k of STRING_KEYS) if (v[k]) q.set(k, v[k]!);
  if (v.all) q.set('all', '1');
  if (v.sort !== 'start') q.set('sort', v.sort);
  if (v.order !== 'desc') q.set('order', v.order);
  if (v.offset > 0) q.set('offset', String(v.offset));
  const qs = q.toString();
  return `/${v.page}${qs ? `?${qs}` : ''}`;
}

const HOUR_MS = 3_600_000;

/**
 * The from/to sent to the API. Relative ranges end at the next whole hour and start at a whole hour
 * (the API buckets by hour anyway), so the range — and every request keyed on it — stays the same
 * for the rest of the hour instead of changing on every render.
 */
export function rangeOf(v: Pick<ViewState, 'range' | 'from' | 'to'>, now: Date): { from: string; to: string } {
  if (v.range === 'custom' && v.from) {
    const to = v.to ?? new Date(Math.ceil(now.getTime() / HOUR_MS) * HOUR_MS).toISOString();
    return { from: v.from, to };
  }
  const kind = v.range === 'custom' ? DEFAULT_RANGE : v.range;
  const hours = RANGE_HOURS[kind as Exclude<RangeKind, 'custom'>];
  const t = now.getTime();
  const to = Math.ceil((t + 1) / HOUR_MS) * HOUR_MS;
  const from = Math.floor((t - hours * HOUR_MS) / HOUR_MS) * HOUR_MS;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** A problem with a custom range, said so a person can fix it; null when fine. */
export function rangeProblem(v: Pick<ViewState, 'range' | 'from' | 'to'>): string | null {
  if (v.range !== 'custom') return null;
  if (!v.from) return 'Choose a start date and time for the custom range.';
  if (v.to && Date.parse(v.to) <= Date.parse(v.from)) return 'The end of the range must be after its start.';
  if (v.to && Date.parse(v.to) - Date.parse(v.from) > 400 * 24 * HOUR_MS) return 'A range may span at most 400 days.';
  return null;
}
