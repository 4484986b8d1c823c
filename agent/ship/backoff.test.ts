import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRetryAfter } from './backoff.js';

const opts = { baseMs: 100, capMs: 2_000 };

describe('backoffDelayMs', () => {
  it('grows exponentially within [base/2, base·2^n], capped', () => {
    expect(backoffDelayMs(0, opts, null, () => 0)).toBe(50);
    expect(backoffDelayMs(0, opts, null, () => 1)).toBe(100);
    expect(backoffDelayMs(3, opts, null, () => 1)).toBe(800);
    expect(backoffDelayMs(3, opts, null, () => 0)).toBe(50);
    expect(backoffDelayMs(10, opts, null, () => 1)).toBe(2_000);
    expect(backoffDelayMs(1e6, opts, null, () => 1)).toBe(2_000);
  });

  it('spreads retries (jitter) and never goes below the floor', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const d = backoffDelayMs(4, opts);
      expect(d).toBeGreaterThanOrEqual(50);
      expect(d).toBeLessThanOrEqual(1_600);
      seen.add(Math.round(d));
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('honours Retry-After up to the cap', () => {
    expect(backoffDelayMs(0, opts, 1, () => 0)).toBe(1_000);
    expect(backoffDelayMs(0, opts, 60, () => 0)).toBe(2_000);
    expect(backoffDelayMs(5, opts, 0, () => 1)).toBe(2_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });
});
