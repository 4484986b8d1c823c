// Retry delays for the sender: exponential backoff with "full jitter", so that fifty agents that lost
// their collector at the same moment do not come back in lock-step.
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/

export interface BackoffOptions {
  /** First delay's upper bound, ms. */
  baseMs: number;
  /** No delay is longer than this, ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/**
 * Delay before retry number `attempt` (0 = first retry): uniform in [base/2, min(cap, base·2^attempt)].
 * The floor of base/2 keeps a dead collector from being hammered by near-zero draws. A server's
 * Retry-After (seconds) raises the delay, still within the cap. `random` is injectable for tests.
 */
export function backoffDelayMs(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  retryAfterS: number | null = null,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const floor = Math.min(opts.baseMs / 2, ceiling);
  let d = floor + random() * (ceiling - floor);
  if (retryAfterS !== null && Number.isFinite(retryAfterS) && retryAfterS > 0) d = Math.max(d, retryAfterS * 1000);
  return Math.min(d, opts.capMs);
}

/** Retry-After as seconds (delta-seconds or an HTTP date, RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, (t - nowMs) / 1000);
}
