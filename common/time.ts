// Timestamps are microseconds since the Unix epoch (a double holds them exactly for the next 285 years).

const DAY_US = 86_400_000_000;
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * ISO-8601 UTC with microseconds ("2026-11-27T12:34:56.789012Z"). Called twice per flow record, so the
 * date part is cached per day and the rest is built by arithmetic instead of a Date per call.
 */
export function isoMicros(us: number): string {
  const t = Math.floor(us);
  const day = Math.floor(t / DAY_US);
  if (day !== cachedDay) {
    // Compute before caching: toISOString throws past ±8.64e15 ms and must not leave a stale prefix.
    cachedDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11); // YYYY-MM-DDT
    cachedDay = day;
  }
  let rest = t - day * DAY_US;
  const frac = rest % 1_000_000;
  rest = (rest - frac) / 1_000_000;
  const ss = rest % 60;
  rest = (rest - ss) / 60;
  const mm = rest % 60;
  const hh = (rest - mm) / 60;
  const f = `${frac}`;
  return `${cachedDayPrefix}${pad2(hh)}:${pad2(mm)}:${pad2(ss)}.${'000000'.slice(f.length)}${f}Z`;
}
