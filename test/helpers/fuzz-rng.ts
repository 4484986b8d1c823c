// A small seeded PRNG for the fuzz tests: the same seed gives the same cases on every machine, so a
// failure printed by CI can be replayed locally.
// NOTE: xoshiro128** (https://prng.di.unimi.it/xoshiro128starstar.c) seeded through splitmix32; all
// arithmetic is 32-bit, so results do not depend on the platform.

export interface Rng {
  /** The seed this generator was made from (for messages). */
  readonly seed: number;
  /** Uniform uint32. */
  u32(): number;
  /** Uniform integer in [0, n); n ≥ 1. */
  int(n: number): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  range(lo: number, hi: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An index chosen with the given relative weights. */
  weighted(weights: readonly number[]): number;
  /** n random bytes. */
  bytes(n: number): Uint8Array;
}

/** splitmix32 step: a good 32-bit mixer, also used to derive per-case seeds from (seed, index). */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seed for sub-stream `index` of `seed` (independent enough for test-case selection). */
export function subSeed(seed: number, stream: number, index: number): number {
  return mix32(mix32(mix32(seed >>> 0) ^ stream) ^ index);
}

export function createRng(seed: number): Rng {
  let s0 = mix32(seed);
  let s1 = mix32(s0 ^ 0x6a09e667);
  let s2 = mix32(s1 ^ 0xbb67ae85);
  let s3 = mix32(s2 ^ 0x3c6ef372);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  function u32(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  }

  function int(n: number): number {
    if (n <= 1) return 0;
    if (n <= 0x100000000) return Math.floor((u32() / 0x100000000) * n);
    return Math.floor(((u32() * 0x100000000 + u32()) / 2 ** 64) * n);
  }

  return {
    seed: seed >>> 0,
    u32,
    int,
    range: (lo, hi) => lo + int(hi - lo + 1),
    chance: (p) => u32() / 0x100000000 < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)]!;
    },
    weighted(weights) {
      let total = 0;
      for (const w of weights) total += w;
      let x = (u32() / 0x100000000) * total;
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i]!;
        if (x < 0) return i;
      }
      return weights.length - 1;
    },
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Parses FUZZ_SEED-style text: decimal or 0x-hex; undefined when empty. */
export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const v = Number(text.trim());
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`FUZZ_SEED must be a uint32 (got "${text}")`);
  return v;
}

export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
