// The Native block writer's parts: times and addresses as numbers. The engine reading whole blocks is
// tested on chdb in store.test.ts; the collector's two paths writing the same bytes in fast-records.test.ts.
import { FormatRegistry } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../test/helpers/fuzz-rng.js';
import '../collector/ingest-batch.js'; // registers the schema's date-time format
import { ByteSink, ipBytes, sealBlock, nativeColumn, timeMicros } from './native-block.js';
import { readNativeBlock } from '../../test/helpers/native-reader.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const micros = (s: string) => timeMicros(bytes(s), 0, s.length);

describe('timeMicros', () => {
  it('agrees with Date.parse on generated UTC times (to the millisecond) and keeps the microseconds', () => {
    const rng = createRng(0x71e);
    for (let i = 0; i < 5000; i++) {
      const ms = rng.range(-2_000_000_000, 2_000_000_000) * 1000 + rng.int(1000);
      const iso = new Date(ms).toISOString(); // …sss Z
      const us = rng.int(1000);
      const text = `${iso.slice(0, 23)}${String(us).padStart(3, '0')}Z`;
      expect(micros(text), text).toBe(BigInt(ms) * 1000n + BigInt(us));
    }
  });

  it('reads offsets, short and long fractions, lower case and a space, and a leap second', () => {
    const base = BigInt(Date.parse('2026-11-28T10:00:00Z')) * 1000n;
    expect(micros('2026-11-28T10:00:00Z')).toBe(base);
    expect(micros('2026-11-28t10:00:00.5z')).toBe(base + 500_000n);
    expect(micros('2026-11-28 10:00:00.1234567Z')).toBe(base + 123_456n);
    expect(micros('2026-11-28T15:30:00+05:30')).toBe(base);
    expect(micros('2026-11-28T07:00:00.000001-03:00')).toBe(base + 1n);
    expect(micros('2016-12-31T23:59:60Z')).toBe(BigInt(Date.parse('2017-01-01T00:00:00Z')) * 1000n);
    expect(micros('2400-02-29T00:00:00.000001Z')).toBe(BigInt(Date.parse('2400-02-29T00:00:00Z')) * 1000n + 1n);
    expect(micros('0000-01-01T00:00:00Z')).toBe(-62_167_219_200_000_000n);
  });

  it('refuses days a month does not have and anything off the RFC 3339 shape', () => {
    for (const bad of ['2026-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-28T24:00:00Z', '2026-11-28T10:00:00',
      '2026-11-28T10:00:00.Z', '2026-11-28T10:00:00+5:30', '2026-11-28T10:00:00+05:60', '2026-11-28T10:00:00ZZ', '26-11-28T10:00:00Z']) {
      expect(micros(bad), bad).toBeNull();
    }
    expect(micros('2024-02-29T00:00:00Z')).not.toBeNull();
  });

  it('accepts only what the schema\'s date-time format accepts', () => {
    const dateTime = FormatRegistry.Get('date-time')!;
    const rng = createRng(0x7173);
    const chars = [...'0123456789', 'T', 't', ' ', 'Z', 'z', '.', ':', '-', '+', 'x'];
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      let s = rng.pick(['2026-11-28T10:00:00.123456Z', '2024-02-29 23:59:60+14:00']).split('');
      for (let k = rng.int(4); k >= 0; k--) s[rng.int(s.length)] = rng.pick(chars);
      if (rng.chance(0.1)) s = s.slice(0, rng.int(s.length));
      const t = s.join('');
      if (micros(t) !== null) {
        accepted++;
        expect(dateTime(t), t).toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('ipBytes', () => {
  const hex = (t: string) => {
    const out = new Uint8Array(16);
    return ipBytes(t, out) ? Buffer.from(out).toString('hex') : null;
  };
  it('maps IPv4 to ::ffff:a.b.c.d and expands IPv6', () => {
    expect(hex('192.0.2.1')).toBe('00000000000000000000ffffc0000201');
    expect(hex('::')).toBe('0'.repeat(32));
    expect(hex('::1')).toBe(`${'0'.repeat(30)}01`);
    expect(hex('2001:DB8::8:800:200C:417A')).toBe('20010db80000000000080800200c417a');
    expect(hex('::ffff:10.0.0.1')).toBe('00000000000000000000ffff0a000001');
    expect(hex('1:2:3:4:5:6:7::')).toBe('00010002000300040005000600070000');
  });
  it('refuses what is not one address', () => {
    for (const bad of ['', '1.2.3', '1.2.3.256', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1.2.3', '1:2:3:4:5:6:7:8::', '::ffff:1.2.3.4:5']) {
      expect(hex(bad), bad).toBeNull();
    }
  });
});

describe('Native blocks', () => {
  it('write VarUInt lengths past one byte and NULLs of a Nullable column', () => {
    const cols = [nativeColumn('s', 'String'), nativeColumn('f', 'Nullable(Float64)')];
    const long = 'x'.repeat(300);
    cols[0]!.values.text(long);
    cols[1]!.nulls!.u8(1);
    cols[1]!.values.f64(0);
    cols[0]!.values.text('');
    cols[1]!.nulls!.u8(0);
    cols[1]!.values.f64(2.5);
    const block = readNativeBlock(sealBlock(cols, 2));
    expect(block.columns).toEqual([
      { name: 's', type: 'String', values: [long, ''] },
      { name: 'f', type: 'Nullable(Float64)', values: [null, 2.5] },
    ]);
    // Sealing empties the columns for the next block.
    expect(cols[0]!.values.off).toBe(0);
  });

  it('write 64-bit values exactly, negative ones as two\'s complement', () => {
    const s = new ByteSink(8);
    for (const v of [0, 1, -1, 2 ** 32, -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      s.off = 0;
      s.i64(v);
      expect(s.buf.readBigInt64LE(0), String(v)).toBe(BigInt(v));
    }
  });
});
