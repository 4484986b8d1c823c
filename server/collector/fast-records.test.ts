// The records' fast path must answer exactly as the full path (JSON.parse + TypeBox + encodeFlowsTsv):
// same chunks byte for byte and the same content hash when both accept, the same message when not.
// Checked on hand-made edge cases and on seeded mutations of valid bodies.
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../test/helpers/fuzz-rng.js';
import { decodeIngestBody, decodeIngestBodyFull, fastPathTakes, warmUpDecoder, type DecodeResult } from './ingest-batch.js';
import { isIPv4Bytes, warmUpBody } from './fast-records.js';

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

const record = {
  proto: 'tcp', src: '192.0.2.10', sport: 40000, dst: '2001:db8::20', dport: 443,
  start: '2024-02-29T10:15:00.000001Z', end: '2024-02-29T10:15:02.5Z',
  orig_pkts: 10, resp_pkts: 8, orig_ip_bytes: 1200, resp_ip_bytes: 9000, orig_bytes: 600, resp_bytes: 8500,
  state: 'SF', history: 'ShADadFf', end_reason: 'fin', initiator: 'syn', sampling: 1, frags: 0, vlan: 0,
};
const labelled = {
  ...record, app: 'http', auth: 'bearer', encryption: 'none', http_host: 'a.example:8080', http_method: 'GET',
  http_path_class: 'metrics', user_agent_family: 'curl', jwt_alg: 'RS256', jwt_lifetime_s: 900.5,
};
const body = (over: Record<string, unknown> = {}, records: unknown[] = [record, labelled]) =>
  JSON.stringify({ batch_id: 'b-1', agent: 'laptop', records, sent_at: '2026-11-27T21:24:00.000Z', ...over });

/** Comparable form of a result: chunks as text. */
function view(r: DecodeResult): unknown {
  if (!r.ok) return r;
  const { chunks, nameChunks, ...rest } = r.batch;
  const text = (cs: Uint8Array[]) => cs.map((c) => Buffer.from(c).toString('latin1'));
  return { ...rest, chunks: text(chunks), nameChunks: text(nameChunks) };
}

function same(text: string | Uint8Array): DecodeResult {
  const b = typeof text === 'string' ? bytes(text) : text;
  const fast = decodeIngestBody(b);
  expect(view(fast)).toEqual(view(decodeIngestBodyFull(b)));
  return fast;
}

describe('records fast path', () => {
  it('takes the agent\'s bodies and answers as the full path does', () => {
    expect(fastPathTakes(bytes(body()))).toBe(true);
    expect(same(body()).ok).toBe(true);
    // Names and stats after the records, as the spool and the sender write them.
    const names = [{ ip: '192.0.2.20', name: 'files.office.example', first_seen: '2026-11-27T21:23:57.238104Z', last_seen: '2026-11-27T21:23:58Z', count: 2 }];
    const b = body({ names, stats: { packets: 10, dropped: 0, spool_backlog: 1, names_dropped: 0 } });
    expect(fastPathTakes(bytes(b))).toBe(true);
    expect(same(b)).toMatchObject({ ok: true, batch: { records: 2, names: 1 } });
  });

  it('warms up on a body it takes, and encodes it as the full path does', () => {
    expect(warmUpDecoder(1, 50)).toBe(true);
    const w = warmUpBody(200);
    expect(fastPathTakes(w)).toBe(true);
    expect(same(w)).toMatchObject({ ok: true, batch: { records: 200 } });
  });

  it('handles other key orders, whitespace and fields it does not know', () => {
    const records = [{ extra: { nested: [1, '"]}'] }, ...record, more: null }, labelled];
    const pretty = JSON.stringify({ records, sent_at: '2026-11-27T21:24:00Z', agent: 'tab\there\\', batch_id: 'b' }, null, 2);
    expect(fastPathTakes(bytes(pretty))).toBe(true); // agent after records: encoded once it is known
    expect(same(pretty).ok).toBe(true);
  });

  it('gives up on what it does not handle, and the full path decides', () => {
    const cases: string[] = [
      body({}, [{ ...record, sni: 'caf\u00e9.example' }]), // non-ASCII
      body({}, [{ ...record, sni: 'a\\b' }]), // an escape
      body({}, [{ ...record, dport: 1.0 }]).replace('"dport":1', '"dport":1.0'), // integer written as 1.0: valid
      body({}, [{ ...record, dport: 100 }]).replace('"dport":100', '"dport":1e2'),
      body({}, [record]).replace('"sport":40000', '"sport":-0'),
      body({}, [record]).replace('"vlan":0', '"vlan":0,"vlan":7'), // duplicate key: the last one wins
      body({}, [record]).replace('"vlan":0', '"vlan":0,"vlan":9999'),
      body({}, [{ ...record, start: '2024-02-29T11:15:00.000001+01:00' }]), // an offset: the regex decides
      body({}, []), // names-only or empty
      body({ records: 'x' }),
      body({}, [record]).replace('"records"', '"rec\\u006frds"'),
      body({}, [record]).replace('{"batch_id"', '\ufeff{"batch_id"'),
      `${body()}x`,
      body({}, [record]) + body({}, [record]),
    ];
    for (const c of cases) same(c);
  });

  it('refuses exactly what the full path refuses, with its message', () => {
    const bad: Record<string, unknown>[] = [
      { proto: 'sctp' }, { src: '300.1.2.3' }, { src: 'fe80::1%eth0' }, { src: '01.2.3.4' }, { dst: 'x'.repeat(46) },
      { sport: 65536 }, { sport: -1 }, { sport: '80' }, { vlan: 4096 }, { sampling: 0 }, { frags: 0x1_0000_0000 },
      { orig_pkts: 9007199254740992 }, { start: '2024-02-30T25:00:00Z' }, { start: '2024-13-01T00:00:00Z' },
      { end: '2024-02-29T10:15:60.5Z' }, { end: '2024-02-29 10:15:59Z' }, { state: 'TOOLONGSTATE' }, { app_guess: 'maybe' },
      { auth: 'pin' }, { jwt_lifetime_s: 'x' }, { sni: null }, { history: 'x'.repeat(65) },
    ];
    for (const over of bad) same(body({}, [record, { ...record, ...over }]));
    const missing: Record<string, unknown> = { ...record };
    delete missing.history;
    same(body({}, [missing]));
    same(body({ agent: '' }));
    same(body({ batch_id: 7 }));
  });

  it('agrees with the full path on seeded mutations of valid bodies', () => {
    const rng = createRng(0x5eed_1e57);
    const seeds = [body(), body({}, [labelled, record, labelled]), Buffer.from(warmUpBody(12)).toString('latin1')];
    const values = [
      'null', 'true', '[]', '{}', '-1', '0', '1.0', '1e2', '65535', '65536', '4095', '4096', '9007199254740991',
      '9007199254740992', '"x"', '""', '"\\u0041"', '"\\t"', '"\u00e9"', '"tcp"', '"icmp6"', '"2026-11-28T10:00:00Z"',
      '"2026-11-28T10:00:00.1z"', '"2026-11-28t10:00:60Z"', '"2026-02-30T10:00:00Z"', '"2026-11-28T10:00:00+01:00"',
      '"192.0.2.1"', '"255.255.255.255"', '"256.0.0.1"', '"1.2.3"', '"::1"', '"::ffff:1.2.3.4"', '"fe80::1%1"',
    ];
    let taken = 0;
    for (let i = 0; i < 1500; i++) {
      const text = mutate(rng, rng.pick(seeds), values);
      const b = bytes(text);
      if (fastPathTakes(b)) taken++;
      const fast = decodeIngestBody(b);
      const full = decodeIngestBodyFull(b);
      if (JSON.stringify(view(fast)) !== JSON.stringify(view(full))) {
        expect.fail(`seed ${rng.seed.toString(16)} case ${i}: fast and full differ on ${text.slice(0, 400)}`);
      }
    }
    // The cases must exercise the fast path itself, not only its fallback.
    expect(taken).toBeGreaterThan(100);
  });
});

describe('byte-level checks are subsets of the full checks', () => {
  it('isIPv4Bytes accepts only dotted quads that node:net accepts', async () => {
    const { isIPv4 } = await import('node:net');
    const rng = createRng(0x1a4);
    for (let i = 0; i < 20000; i++) {
      const t = Array.from({ length: rng.range(1, 5) }, () => String(rng.pick([0, 1, 9, 10, 99, 100, 199, 200, 249, 250, 255, 256, 999, 1000]))).join('.')
        .replace(/^/, rng.chance(0.1) ? '0' : '');
      const b = bytes(t);
      expect(isIPv4Bytes(b, 0, b.length), t).toBe(isIPv4(t));
    }
  });
});

/** One to three edits: a value swapped, a byte dropped or doubled, whitespace added, a pair dropped or doubled. */
function mutate(rng: Rng, text: string, values: readonly string[]): string {
  let t = text;
  for (let n = rng.range(1, 3); n > 0; n--) {
    const kind = rng.int(6);
    if (kind <= 1) {
      // Replace the value after a random key.
      const keys = [...t.matchAll(/"([a-z_]+)":/g)];
      if (keys.length === 0) continue;
      const k = rng.pick(keys);
      const start = k.index! + k[0].length;
      const m = /^("(?:[^"\\]|\\.)*"|-?[0-9.eE+-]+|true|false|null)/.exec(t.slice(start));
      if (!m) continue;
      t = t.slice(0, start) + rng.pick(values) + t.slice(start + m[0].length);
    } else if (kind === 2) {
      const i = rng.int(t.length);
      t = t.slice(0, i) + t.slice(i + 1);
    } else if (kind === 3) {
      const i = rng.int(t.length);
      t = t.slice(0, i) + t[i] + t.slice(i);
    } else if (kind === 4) {
      const i = rng.int(t.length);
      t = t.slice(0, i) + rng.pick([' ', '\n', '\t', '\r']) + t.slice(i);
    } else {
      const pairs = [...t.matchAll(/,"[a-z_]+":("(?:[^"\\]|\\.)*"|-?[0-9.eE+-]+)/g)];
      if (pairs.length === 0) continue;
      const p = rng.pick(pairs);
      const at = p.index!;
      t = rng.chance(0.5) ? t.slice(0, at) + t.slice(at + p[0].length) : t.slice(0, at) + p[0] + t.slice(at);
    }
  }
  return t;
}
