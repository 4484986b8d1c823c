import { describe, expect, it } from 'vitest';
import { createNameAggregator, namesToJson, normaliseHostName, MAX_NAME_LENGTH } from './names.js';

const T0 = Date.UTC(2026, 10, 27, 21, 23, 57) * 1000 + 238_104; // µs

describe('normaliseHostName', () => {
  it('lower-cases and drops the trailing dot', () => {
    expect(normaliseHostName('Files.Office.EXAMPLE.')).toBe('files.office.example');
    expect(normaliseHostName('localhost')).toBe('localhost');
    expect(normaliseHostName('_dmarc.example.com')).toBe('_dmarc.example.com');
    expect(normaliseHostName('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
  });

  it('refuses what is no host name', () => {
    for (const bad of ['', '.', '..', 'a..b', '.a', 'a b.example', 'tab\t.example', 'ä.example', 'a/b', 'a:b', '-a.example', 'a-.example', '*.example', 'a.example..']) {
      expect(normaliseHostName(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(normaliseHostName(`${'a'.repeat(64)}.example`)).toBeNull(); // a label of 64
    expect(normaliseHostName(`${'a'.repeat(63)}.example`)).toBe(`${'a'.repeat(63)}.example`);
    const longest = Array.from({ length: 4 }, () => 'b'.repeat(61)).join('.') + '.x'; // 4·61 + 3 + 2 = 249
    const at253 = `${'c'.repeat(3)}.${longest}`;
    expect(at253.length).toBe(MAX_NAME_LENGTH);
    expect(normaliseHostName(at253)).toBe(at253);
    expect(normaliseHostName(`${at253}.`)).toBe(at253); // the trailing dot does not count
    expect(normaliseHostName(`d${at253}`)).toBeNull();
  });
});

describe('name aggregator', () => {
  it('keeps one entry per (ip, name) with the first and last time and the number of answers', () => {
    const a = createNameAggregator();
    expect(a.add('192.0.2.20', 'files.office.example', T0 + 50)).toBe(true);
    expect(a.add('192.0.2.20', 'FILES.office.example.', T0)).toBe(true); // earlier, other spelling
    expect(a.add('192.0.2.20', 'files.office.example', T0 + 900)).toBe(true);
    expect(a.add('2001:db8:20::20', 'files.office.example', T0 + 10)).toBe(true);
    expect(a.add('192.0.2.20', 'api.office.example', T0 + 20)).toBe(true);
    expect(a.size).toBe(3);
    expect(a.drain()).toEqual([
      { ip: '192.0.2.20', name: 'files.office.example', firstUs: T0, lastUs: T0 + 900, count: 3 },
      { ip: '2001:db8:20::20', name: 'files.office.example', firstUs: T0 + 10, lastUs: T0 + 10, count: 1 },
      { ip: '192.0.2.20', name: 'api.office.example', firstUs: T0 + 20, lastUs: T0 + 20, count: 1 },
    ]);
    expect(a.size).toBe(0);
    expect(a.drain()).toEqual([]);
    expect(a.counters).toEqual({ answers: 5, dropped: 0, invalid: 0 });
  });

  it('is bounded: answers for new pairs past the cap are dropped and counted; known pairs still merge', () => {
    const a = createNameAggregator(3);
    for (let i = 0; i < 10; i++) a.add(`192.0.2.${i}`, `h${i}.example`, T0 + i);
    expect(a.size).toBe(3);
    expect(a.add('192.0.2.1', 'h1.example', T0 + 100)).toBe(true);
    expect(a.counters).toEqual({ answers: 4, dropped: 7, invalid: 0 });
    const out = a.drain();
    expect(out.map((e) => e.name)).toEqual(['h0.example', 'h1.example', 'h2.example']);
    expect(out[1]).toMatchObject({ count: 2, firstUs: T0 + 1, lastUs: T0 + 100 });
    // Drained: room again.
    expect(a.add('192.0.2.9', 'h9.example', T0)).toBe(true);
    expect(() => createNameAggregator(0)).toThrow(/1 to 50000/);
    expect(() => createNameAggregator(50_001)).toThrow(/1 to 50000/);
  });

  it('counts and skips names that are no host names', () => {
    const a = createNameAggregator();
    expect(a.add('192.0.2.1', '.', T0)).toBe(false);
    expect(a.add('192.0.2.1', 'bad name.example', T0)).toBe(false);
    expect(a.add('192.0.2.1', 'ok.example', Number.NaN)).toBe(false);
    expect(a.size).toBe(0);
    expect(a.counters).toEqual({ answers: 0, dropped: 0, invalid: 3 });
  });

  it('writes the batch field: ISO-8601 microsecond times like FlowRecord', () => {
    const a = createNameAggregator();
    a.add('192.0.2.20', 'files.office.example', T0);
    a.add('192.0.2.20', 'files.office.example', T0 + 1_000_001);
    expect(JSON.parse(namesToJson(a.drain()))).toEqual([
      { ip: '192.0.2.20', name: 'files.office.example', first_seen: '2026-11-27T21:23:57.238104Z', last_seen: '2026-11-27T21:23:58.238105Z', count: 2 },
    ]);
    expect(namesToJson([])).toBe('[]');
  });
});
