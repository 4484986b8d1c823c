// What an operator checks during a week-long audit: how much has arrived (per L4 protocol, from the
// hourly rollup, which is far smaller than the raw table) and when each agent last reported.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../store/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    statsRepository: ReturnType<typeof createStatsRepository>;
  }
}

const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const Totals = {
  flows: Type.Integer(),
  packets: Type.Integer(),
  bytes: Type.Integer(),
  first_seen: Time,
  last_seen: Time,
};

export const StatsSchema = Type.Object({
  store: Type.Object({ kind: Type.Union([Type.Literal('embedded'), Type.Literal('server')]) }),
  totals: Type.Object(Totals),
  by_proto: Type.Array(Type.Object({ proto: Type.String(), ...Totals })),
  agents: Type.Array(
    Type.Object({
      agent: Type.String(),
      last_contact: Type.String({ format: 'date-time' }),
      batches: Type.Integer(),
      records: Type.Integer(),
      /** From the agent's latest batch that carried `stats`; null when none did. */
      spool_backlog: Type.Union([Type.Integer(), Type.Null()]),
      packets: Type.Union([Type.Integer(), Type.Null()]),
      dropped: Type.Union([Type.Integer(), Type.Null()]),
      /**
       * What the agent's spool bound deleted unsent (data lost for good): counters of the agent
       * process, from its latest batch that carried them; null when none did.
       */
      spool_dropped_batches: Type.Union([Type.Integer(), Type.Null()]),
      spool_dropped_records: Type.Union([Type.Integer(), Type.Null()]),
      spool_dropped_packets: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});
export type Stats = Static<typeof StatsSchema>;

const BY_PROTO = `
SELECT proto, sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM edges_1h
GROUP BY proto
ORDER BY proto`;

const AGENTS = `
SELECT agent, max(received_at) AS last_contact, count() AS batches, sum(records) AS records,
       argMaxIf(spool_backlog, received_at, spool_backlog IS NOT NULL) AS spool_backlog,
       argMaxIf(agent_packets, received_at, agent_packets IS NOT NULL) AS packets,
       argMaxIf(agent_dropped, received_at, agent_dropped IS NOT NULL) AS dropped,
       argMaxIf(spool_dropped_batches, received_at, spool_dropped_batches IS NOT NULL) AS spool_dropped_batches,
       argMaxIf(spool_dropped_records, received_at, spool_dropped_records IS NOT NULL) AS spool_dropped_records,
       argMaxIf(spool_dropped_packets, received_at, spool_dropped_packets IS NOT NULL) AS spool_dropped_packets
FROM ingest_batches FINAL
GROUP BY agent
ORDER BY agent`;

type Num = string | number;
interface ProtoRow { proto: string; flows: Num; packets: Num; bytes: Num; first_seen: string; last_seen: string }
interface AgentRow {
  agent: string;
  last_contact: string;
  batches: Num;
  records: Num;
  spool_backlog: Num | null;
  packets: Num | null;
  dropped: Num | null;
  spool_dropped_batches: Num | null;
  spool_dropped_records: Num | null;
  spool_dropped_packets: Num | null;
}

/** "2026-11-27 21:23:57.237885" (a UTC DateTime64 in JSON output) → ISO-8601 with 'Z'. */
export function chTimeToIso(s: string): string {
  return `${s.replace(' ', 'T')}Z`;
}

const minIso = (a: string | null, b: string) => (a === null || b < a ? b : a);
const maxIso = (a: string | null, b: string) => (a === null || b > a ? b : a);
const nullableNumber = (v: Num | null) => (v === null ? null : Number(v));

export function createStatsRepository(store: Store) {
  return {
    async stats(): Promise<Stats> {
      const [protos, agents] = await Promise.all([store.query<ProtoRow>(BY_PROTO), store.query<AgentRow>(AGENTS)]);
      const totals: Stats['totals'] = { flows: 0, packets: 0, bytes: 0, first_seen: null, last_seen: null };
      const byProto = protos.map((r) => {
        const row = {
          proto: r.proto,
          flows: Number(r.flows),
          packets: Number(r.packets),
          bytes: Number(r.bytes),
          first_seen: chTimeToIso(r.first_seen),
          last_seen: chTimeToIso(r.last_seen),
        };
        totals.flows += row.flows;
        totals.packets += row.packets;
        totals.bytes += row.bytes;
        totals.first_seen = minIso(totals.first_seen, row.first_seen);
        totals.last_seen = maxIso(totals.last_seen, row.last_seen);
        return row;
      });
      return {
        store: { kind: store.kind },
        totals,
        by_proto: byProto,
        agents: agents.map((a) => ({
          agent: a.agent,
          last_contact: chTimeToIso(a.last_contact),
          batches: Number(a.batches),
          records: Number(a.records),
          spool_backlog: nullableNumber(a.spool_backlog),
          packets: nullableNumber(a.packets),
          dropped: nullableNumber(a.dropped),
          spool_dropped_batches: nullableNumber(a.spool_dropped_batches),
          spool_dropped_records: nullableNumber(a.spool_dropped_records),
          spool_dropped_packets: nullableNumber(a.spool_dropped_packets),
        })),
      };
    },
  };
}

export default fp(
  async (fastify: FastifyInstance) => {
    fastify.decorate('statsRepository', createStatsRepository(fastify.store));
  },
  { name: 'stats-repository', dependencies: ['store'] },
);
