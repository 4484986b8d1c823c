// Hand-written observations for the export tests: a week of a small company (zones prod, data, mgmt,
// office; crown jewels customer-db, dual-stack, and payments-api). edges.json is what GET /api/v1/edges
// would answer for it.
import { readFileSync } from 'node:fs';
import type { ObservedEdge } from '../edge.js';
import type { SpecExtra } from '../spec-model.js';

export const EDGES: readonly ObservedEdge[] = JSON.parse(readFileSync(new URL('./edges.json', import.meta.url), 'utf8'));

export const CREATED = '2026-11-27';
export const NOW = '2026-11-27T09:00:00Z';

export const SPEC_EXTRA: SpecExtra = {
  from: '2026-11-20T00:00:00Z',
  to: '2026-11-27T00:00:00Z',
  generated: NOW,
  agents: [
    {
      agent: 'dc1-span',
      segments: ['eth1 (prod)', 'eth2 (data)'],
      first_seen: '2026-11-20T00:00:00Z',
      last_seen: '2026-11-26T23:59:59Z',
      hours_watched: 165.5,
      gaps: [{ from: '2026-11-23T02:00:00Z', to: '2026-11-23T04:30:00Z' }],
      sampling: 1,
      packets: 912345678,
      packets_dropped: 1200,
    },
    {
      agent: 'office-gw',
      segments: ['any'],
      first_seen: '2026-11-20T08:00:00Z',
      last_seen: '2026-11-26T18:00:00Z',
      hours_watched: 154,
      gaps: [],
      sampling: 10,
      packets: 5000000,
      packets_dropped: 0,
    },
  ],
  jwt: [{ dst: '10.0.2.30', dport: 8443, max_lifetime_s: 30 * 86400 }],
};
