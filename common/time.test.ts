import { describe, expect, it } from 'vitest';
import { isoMicros } from './time.js';

describe('isoMicros', () => {
  it('agrees with Date.toISOString to the millisecond and keeps the microseconds', () => {
    let seed = 12345;
    for (let i = 0; i < 20_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // Spread over 1970–2100, with sub-second parts of every size.
      const us = Math.floor((seed / 2 ** 32) * 4.1e15) * 1 + (i % 1_000_000);
      const ms = Math.floor(us / 1000);
      const want = new Date(ms).toISOString().slice(0, -1) + String(us % 1000).padStart(3, '0') + 'Z';
      expect(isoMicros(us)).toBe(want);
    }
  });

  it('formats edges of the day and fraction', () => {
    expect(isoMicros(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(isoMicros(Date.UTC(2026, 10, 27, 23, 59, 59) * 1000 + 999_999)).toBe('2026-11-27T23:59:59.999999Z');
    expect(isoMicros(Date.UTC(2024, 1, 29, 0, 0, 0) * 1000 + 7)).toBe('2024-02-29T00:00:00.000007Z');
    expect(isoMicros(1_700_000_000_123_456.5)).toBe('2023-11-14T22:13:20.123456Z');
  });
});
