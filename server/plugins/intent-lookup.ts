// Decorates `fastify.intentLookup`: the intent's zones and crown jewels as ClickHouse dictionaries,
// re-synced when the YAML changes (or the names a jewel matches by name resolve to other addresses).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { isAddressMatch, jewelPrefixes, zonePrefixes } from '../intent/index.js';
import type { Intent } from '../intent/model.js';
import { createIntentLookup, type IntentLookup, type LookupContent } from '../repositories/intent-lookup.js';
import type { Store } from '../store/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    intentLookup: IntentLookup;
  }
}

/** Addresses seen on the wire (DNS answers, SNI, HTTP Host) for each name, lower-cased. */
const IPS_FOR_NAMES = `
SELECT name, groupUniqArray(1000)(IPv6NumToString(ip)) AS ips FROM names WHERE name IN {names:Array(String)} GROUP BY name`;

/** Crown-jewel `match` entries that are names: neither an address nor a CIDR. */
function nameMatches(intent: Intent): string[] {
  const names = new Set<string>();
  for (const j of intent.crown_jewels) for (const m of j.match) if (!isAddressMatch(m)) names.add(m.toLowerCase());
  return [...names].sort();
}

export async function lookupContent(store: Store, intent: Intent, version: string): Promise<LookupContent> {
  const names = nameMatches(intent);
  const resolved = new Map<string, string[]>();
  if (names.length > 0) {
    const rows = await store.query<{ name: string; ips: string[] }>(IPS_FOR_NAMES, { names });
    for (const r of rows) resolved.set(r.name, [...r.ips].sort());
  }
  const resolveName = (name: string) => resolved.get(name.toLowerCase()) ?? [];
  const zones = zonePrefixes(intent).map((z) => ({ prefix: z.prefix, zone: z.zone, kind: z.kind }));
  const jewels = jewelPrefixes(intent, resolveName).map((j) => ({ prefix: j.prefix, jewel: j.jewel }));
  return { key: `${version}|${JSON.stringify([...resolved])}`, zones, jewels };
}

export default fp(
  async (fastify: FastifyInstance) => {
    const lookup = createIntentLookup(fastify.store, async () => {
      const { intent, version } = fastify.intent.current();
      return lookupContent(fastify.store, intent, version);
    });
    fastify.decorate('intentLookup', lookup);
  },
  { name: 'intent-lookup', dependencies: ['store', 'intent'] },
);
