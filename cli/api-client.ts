// Talking to a running surfacemap server from the CLI (`export`, `check`): the --collector/--token
// options (defaults SURFACEMAP_URL / SURFACEMAP_TOKEN), time-range options, one bounded request, and
// errors that say what to fix without ever printing the token.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

/** Exit code for usage errors and for a server that cannot be reached. */
export const EXIT_USAGE = 2;
export const DEFAULT_TIMEOUT_S = 120;

export interface ApiFlags {
  collector?: string;
  token?: string;
  timeout: number;
  from?: string;
  to?: string;
  since?: number;
}

export interface ApiTarget {
  base: string;
  token: string;
  timeoutMs: number;
}

export function say(line: string): void {
  process.stderr.write(`surfacemap: ${line}\n`);
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `7d`, `24h`, `90m`, `2w`, `3600s` → seconds. */
export function duration(v: string): number {
  const m = /^(\d{1,6})([smhdw])$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('must be a number with a unit: s, m, h, d or w (e.g. 7d, 24h)');
  const s = Number(m[1]) * UNITS[m[2]!]!;
  if (s <= 0) throw new InvalidArgumentError('must be more than 0');
  return s;
}

function isoTime(v: string): string {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('must be an ISO-8601 date-time, e.g. 2026-11-20T00:00:00Z');
  return new Date(t).toISOString();
}

/** --collector, --token, --timeout and the range options (--since, or --from/--to). */
export function addApiOptions(cmd: Command, defaultSince: string): Command {
  return cmd
    .addOption(new Option('--collector <url>', 'the surfacemap server, e.g. http://127.0.0.1:7070').env('SURFACEMAP_URL'))
    .addOption(new Option('--token <token>', 'the API token; prefer the environment variable: arguments show in `ps`').env('SURFACEMAP_TOKEN'))
    .addOption(new Option('--since <duration>', `observed range: the last 7d, 24h, … (default ${defaultSince})`).argParser(duration))
    .addOption(new Option('--from <time>', 'observed range start (ISO-8601); instead of --since').argParser(isoTime))
    .addOption(new Option('--to <time>', 'observed range end (ISO-8601; default now)').argParser(isoTime))
    .addOption(new Option('--timeout <s>', 'give up on the server after this many seconds').argParser(Number).default(DEFAULT_TIMEOUT_S));
}

/** Usage errors exit 2 (commander's default is 1, which `check` uses for "would deny"). */
export function usageExit2(cmd: Command): Command {
  return cmd.exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  });
}

/** A checked server and token, or what is wrong (never containing the token). */
export function resolveApiTarget(o: ApiFlags): ApiTarget | string {
  if (!o.collector) return 'no server: pass --collector URL or set SURFACEMAP_URL';
  let url: URL;
  try {
    url = new URL(o.collector);
  } catch {
    return `--collector ${JSON.stringify(o.collector)} is not a URL (e.g. http://127.0.0.1:7070)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--collector must be an http:// or https:// URL, not ${url.protocol}`;
  if (url.username || url.password) return '--collector must not hold credentials: pass the token with SURFACEMAP_TOKEN';
  const token = (o.token ?? '').trim();
  if (!token) return 'no token: set SURFACEMAP_TOKEN (or pass --token)';
  if (/\s/.test(token)) return 'the token must not contain spaces';
  if (!Number.isFinite(o.timeout) || o.timeout <= 0) return '--timeout must be a number of seconds > 0';
  return { base: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, token, timeoutMs: o.timeout * 1000 };
}

/** from/to query parameters: --from/--to, else the last --since (or the default) up to now. */
export function rangeParams(o: ApiFlags, defaultSinceS: number, now = new Date()): { from: string; to: string } | string {
  const to = o.to ?? now.toISOString();
  const from = o.from ?? new Date(Date.parse(to) - (o.since ?? defaultSinceS) * 1000).toISOString();
  if (o.from !== undefined && o.since !== undefined) return 'pass --since or --from, not both';
  if (Date.parse(from) >= Date.parse(to)) return `--from (${from}) must be before --to (${to})`;
  return { from, to };
}

/** The server could not be reached (or did not answer in time). */
export class ApiUnreachableError extends Error {
  override name = 'ApiUnreachableError';
}

/** One request; rejects with ApiUnreachableError when there is no HTTP answer. */
export async function apiFetch(t: ApiTarget, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  const url = `${t.base}${path}`;
  try {
    return await fetch(url, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${t.token}`, ...init.headers },
      body: init.body,
      signal: AbortSignal.timeout(t.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${t.timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new ApiUnreachableError(`cannot reach ${t.base}: ${why}`);
  }
}

/** The `message` of an error answer (`{ error, message }`), or the status line. */
export async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (typeof j.message === 'string') return `${res.status} ${res.statusText}: ${j.message}`;
  } catch {
    // not JSON: a proxy's page, say
  }
  return `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 300)}` : ''}`;
}

/** Decimal units, one decimal: `81.2 MB`. */
export function humanBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
