// Sprint snapshots (docs/api.md "Snapshots"): a named copy of a range's address-level edges, listed,
// deleted, and diffed against another snapshot or against now. Zones and jewels are applied when read
// (intent-lookup.ts), so a diff compares traffic under today's intent.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import type { Store } from '../store/index.js';
import { ROLLUP_IN_RANGE, type AnalysisRepository, type Edge, type TimeRange } from './analysis-repository.js';
import { displayIp } from './addresses.js';
import { jewelOf, zoneOf, type IntentLookup } from './intent-lookup.js';
import { chTimeToIso } from './stats-repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    snapshotRepository: ReturnType<typeof createSnapshotRepository>;
  }
}

const LIVE = `
SELECT name, created, range_from, range_to, edges FROM snapshots FINAL
WHERE deleted = 0 ORDER BY created DESC, name`;

const EXISTS = `SELECT count() AS n FROM snapshots FINAL WHERE name = {name:String} AND deleted = 0`;

const SAVE_EDGES = `
INSERT INTO snapshot_edges
SELECT {name:String}, src, dst, dport, proto, app, auth, encryption,
       sum(flows), sum(packets), sum(bytes), min(first_seen), max(last_seen)
FROM ${ROLLUP_IN_RANGE}
GROUP BY src, dst, dport, proto, app, auth, encryption`;

const COUNT_EDGES = `SELECT count() AS n FROM snapshot_edges WHERE snapshot = {name:String}`;

const SAVE_ROW = `
INSERT INTO snapshots (name, created, range_from, range_to, edges, deleted)
SELECT {name:String}, now64(3), {from:DateTime64(6, 'UTC')}, {to:DateTime64(6, 'UTC')}, {edges:UInt64}, {deleted:UInt8}`;

/** One side of a diff: a snapshot's edges, or the live rollup over a range (side 'b' only). */
const SIDE_SNAPSHOT = (side: 'a' | 'b') => `
SELECT '${side}' AS side, src, dst, dport, proto, app, auth, encryption, flows, packets, bytes, first_seen, last_seen
FROM snapshot_edges WHERE snapshot = {${side}:String}`;

/**
 * The live side is the rollup rows themselves, not a GROUP BY of them: DIFF aggregates both sides by its
 * key anyway, and its sum/min/max/countIf over the rows equal those over pre-aggregated rows (any() of
 * encryption picks among the same values). One aggregation instead of two: on the synthetic week
 * (docs/benchmarks.md) the DIFF query 640 → 590 ms median, the same 10 000 rows out.
 */
const SIDE_LIVE = `
SELECT 'b' AS side, src, dst, dport, proto, app, auth, encryption, flows, packets, bytes, first_seen, last_seen
FROM ${ROLLUP_IN_RANGE}`;

/**
 * Both sides keyed by (src, dst, dport, proto, app, auth); encryption follows from app and is kept as
 * the latest value. new = only in b, gone = only in a, changed = in both with flows or bytes moved by
 * at least `min_change` (a fraction) either way.
 */
const DIFF = (bSql: string) => `
SELECT src, dst, dport, proto, app, auth, any(encryption) AS encryption,
       ${zoneOf('src')} AS src_zone, ${zoneOf('dst')} AS dst_zone, ${jewelOf('src')} AS src_jewel, ${jewelOf('dst')} AS dst_jewel,
       countIf(side = 'a') > 0 AS in_a, countIf(side = 'b') > 0 AS in_b,
       sumIf(flows, side = 'a') AS flows_a, sumIf(flows, side = 'b') AS flows_b,
       sumIf(bytes, side = 'a') AS bytes_a, sumIf(bytes, side = 'b') AS bytes_b,
       sumIf(packets, side = 'a') AS packets_a, sumIf(packets, side = 'b') AS packets_b,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen,
       multiIf(in_a AND NOT in_b, 'gone', in_b AND NOT in_a, 'new',
               abs(toFloat64(flows_b) - flows_a) >= {min_change:Float64} * greatest(flows_a, 1)
               OR abs(toFloat64(bytes_b) - bytes_a) >= {min_change:Float64} * greatest(bytes_a, 1), 'changed', 'same') AS status,
       count() OVER (PARTITION BY status) AS total
FROM (${SIDE_SNAPSHOT('a')} UNION ALL ${bSql})
GROUP BY src, dst, dport, proto, app, auth
HAVING status != 'same'
ORDER BY status, (src_jewel != '' OR dst_jewel != '') DESC, (src_zone != dst_zone OR src_jewel != dst_jewel) DESC,
         greatest(bytes_a, bytes_b) DESC, src, dst, dport
LIMIT {limit:UInt32} BY status`;

type Num = string | number;
interface DiffRow {
  src: string; dst: string; dport: Num; proto: string; app: string; auth: string; encryption: string;
  src_zone: string; dst_zone: string; src_jewel: string; dst_jewel: string;
  flows_a: Num; flows_b: Num; bytes_a: Num; bytes_b: Num; packets_a: Num; packets_b: Num;
  first_seen: string; last_seen: string; status: 'new' | 'gone' | 'changed'; total: Num;
}

const n = (v: Num) => Number(v);
const orNull = (s: string) => (s === '' ? null : s);
const chParam = (d: Date) => d.toISOString().replace('Z', '');

export type DiffEdge = Omit<Edge, 'clients'>;

export interface SnapshotInfo {
  name: string;
  from: string;
  to: string;
  created: string;
  edges: number;
}

export function createSnapshotRepository(deps: { store: Store; lookup: IntentLookup; analysis: AnalysisRepository }) {
  const { store, lookup, analysis } = deps;
  // Saves and deletes of one name run one at a time in this process.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  async function exists(name: string): Promise<boolean> {
    const rows = await store.query<{ n: Num }>(EXISTS, { name });
    return n(rows[0]?.n ?? 0) > 0;
  }

  async function list(): Promise<SnapshotInfo[]> {
    const rows = await store.query<{ name: string; created: string; range_from: string; range_to: string; edges: Num }>(LIVE);
    return rows.map((r) => ({
      name: r.name,
      from: chTimeToIso(r.range_from),
      to: chTimeToIso(r.range_to),
      created: chTimeToIso(r.created),
      edges: n(r.edges),
    }));
  }

  return {
    list,

    create(name: string, range: TimeRange): Promise<SnapshotInfo> {
      return serial(async () => {
        if (await exists(name)) throw new HttpError(409, `a snapshot named ${JSON.stringify(name)} exists; delete it first or pick another name`);
        const settings = { async_insert: 0 } as const;
        // Leftovers of a deleted snapshot with the same name, or of a save that died halfway.
        await store.command('DELETE FROM snapshot_edges WHERE snapshot = {name:String}', { name });
        await store.command(SAVE_EDGES, { name, from: chParam(range.from), to: chParam(range.to) }, settings);
        const edges = n((await store.query<{ n: Num }>(COUNT_EDGES, { name }))[0]?.n ?? 0);
        await store.command(SAVE_ROW, { name, from: chParam(range.from), to: chParam(range.to), edges, deleted: 0 }, settings);
        const saved = (await list()).find((s) => s.name === name);
        if (saved === undefined) throw new Error(`snapshot ${name} was not found after saving it`);
        return saved;
      });
    },

    remove(name: string): Promise<void> {
      return serial(async () => {
        const all = await list();
        const s = all.find((x) => x.name === name);
        if (s === undefined) throw new HttpError(404, `no snapshot named ${JSON.stringify(name)}`);
        await store.command(SAVE_ROW, { name, from: s.from.replace('Z', ''), to: s.to.replace('Z', ''), edges: s.edges, deleted: 1 }, { async_insert: 0 });
        await store.command('DELETE FROM snapshot_edges WHERE snapshot = {name:String}', { name });
      });
    },

    /** a: a snapshot; b: another snapshot, or null for the live edges over `range`. */
    async diff(a: string, b: string | null, range: TimeRange, opts: { minChange: number; limit: number }) {
      const all = await list();
      const sa = all.find((s) => s.name === a);
      if (sa === undefined) throw new HttpError(404, `no snapshot named ${JSON.stringify(a)}`);
      const sb = b === null ? null : all.find((s) => s.name === b);
      if (b !== null && sb === undefined) throw new HttpError(404, `no snapshot named ${JSON.stringify(b)}`);
      await lookup.ensure();
      const rows = await store.query<DiffRow>(DIFF(b === null ? SIDE_LIVE : SIDE_SNAPSHOT('b')), {
        a,
        ...(b === null ? { from: chParam(range.from), to: chParam(range.to) } : { b }),
        min_change: opts.minChange,
        limit: opts.limit,
      });
      const names = await analysis.namesFor([...new Set(rows.flatMap((r) => [r.src, r.dst]))]);
      const totals = { new: 0, gone: 0, changed: 0 };
      const out = { new: [] as DiffEdge[], gone: [] as DiffEdge[], changed: [] as (DiffEdge & { flows_before: number; bytes_before: number })[] };
      for (const r of rows) {
        const after = r.status !== 'gone';
        const srcJewel = orNull(r.src_jewel);
        const dstJewel = orNull(r.dst_jewel);
        const edge: DiffEdge = {
          src: displayIp(r.src),
          src_name: names.get(r.src) ?? null,
          src_zone: r.src_zone,
          src_jewel: srcJewel,
          dst: displayIp(r.dst),
          dst_name: names.get(r.dst) ?? null,
          dst_zone: r.dst_zone,
          dst_jewel: dstJewel,
          dport: n(r.dport),
          proto: r.proto,
          app: r.app,
          auth: r.auth,
          encryption: r.encryption,
          flows: n(after ? r.flows_b : r.flows_a),
          packets: n(after ? r.packets_b : r.packets_a),
          bytes: n(after ? r.bytes_b : r.bytes_a),
          first_seen: chTimeToIso(r.first_seen),
          last_seen: chTimeToIso(r.last_seen),
          crown_jewel: dstJewel ?? srcJewel,
          crossing: r.src_zone !== r.dst_zone || r.src_jewel !== r.dst_jewel,
        };
        totals[r.status] = n(r.total);
        if (r.status === 'changed') out.changed.push({ ...edge, flows_before: n(r.flows_a), bytes_before: n(r.bytes_a) });
        else out[r.status].push(edge);
      }
      return {
        a: sa,
        b: sb ?? { name: 'now', from: range.from.toISOString(), to: range.to.toISOString() },
        ...out,
        totals,
      };
    },
  };
}

export default fp(
  async (fastify: FastifyInstance) => {
    fastify.decorate(
      'snapshotRepository',
      createSnapshotRepository({ store: fastify.store, lookup: fastify.intentLookup, analysis: fastify.analysisRepository }),
    );
  },
  { name: 'snapshot-repository', dependencies: ['store', 'intent-lookup', 'analysis-repository'] },
);
