// Keeps ClickHouse's view of the intent current: the zone and crown-jewel prefixes of the YAML (and the
// built-in fallbacks) in `intent_*_prefixes`, read through ip_trie dictionaries, so every analysis
// query maps addresses to zones and jewels at query time (migration 005). Editing the YAML re-draws
// all history; nothing is re-ingested.
//
// NOTE: a sync runs before a query when the intent's version or the names a jewel matches by name
// changed; concurrent queries wait for the one sync in flight. Several API servers over one ClickHouse
// server must read the same YAML (keep it in git): the dictionaries are shared.
import type { Store } from '../store/index.js';

export const ZONES_DICT = 'intent_zones_dict';
export const JEWELS_DICT = 'intent_jewels_dict';

export interface ZonePrefixRow {
  prefix: string; // IPv6 text; IPv4 as ::ffff:a.b.c.d/(96+n)
  zone: string;
  kind: string;
}

export interface JewelPrefixRow {
  prefix: string;
  jewel: string;
}

export interface LookupContent {
  /** Changes whenever the rows would: the intent's version plus the resolved names. */
  key: string;
  zones: ZonePrefixRow[];
  jewels: JewelPrefixRow[];
}

/** SQL for an address's zone, jewel ('' when none) and zone kind. `col` is a column name we wrote. */
export const zoneOf = (col: string) => `dictGet('${ZONES_DICT}', 'zone', ${col})`;
export const zoneKindOf = (col: string) => `dictGet('${ZONES_DICT}', 'kind', ${col})`;
export const jewelOf = (col: string) => `dictGetOrDefault('${JEWELS_DICT}', 'jewel', ${col}, '')`;

const INSERT_ZONES = `
INSERT INTO intent_zone_prefixes (prefix, zone, kind)
SELECT tupleElement(t, 1), tupleElement(t, 2), tupleElement(t, 3)
FROM (SELECT arrayJoin(arrayZip({prefixes:Array(String)}, {zones:Array(String)}, {kinds:Array(String)})) AS t)`;

const INSERT_JEWELS = `
INSERT INTO intent_jewel_prefixes (prefix, jewel)
SELECT tupleElement(t, 1), tupleElement(t, 2)
FROM (SELECT arrayJoin(arrayZip({prefixes:Array(String)}, {jewels:Array(String)})) AS t)`;

export function createIntentLookup(store: Store, content: () => Promise<LookupContent>) {
  let syncedKey: string | null = null;
  let dictsCreated = false;
  let inFlight: Promise<void> | null = null;

  async function createDicts(): Promise<void> {
    // LIFETIME(0): loaded once and on SYSTEM RELOAD, never on a timer; we reload after each change.
    await store.command(
      `CREATE DICTIONARY IF NOT EXISTS ${ZONES_DICT} (prefix String, zone String, kind String)
       PRIMARY KEY prefix SOURCE(${store.dictionarySource('intent_zone_prefixes')}) LAYOUT(IP_TRIE) LIFETIME(0)`,
    );
    await store.command(
      `CREATE DICTIONARY IF NOT EXISTS ${JEWELS_DICT} (prefix String, jewel String)
       PRIMARY KEY prefix SOURCE(${store.dictionarySource('intent_jewel_prefixes')}) LAYOUT(IP_TRIE) LIFETIME(0)`,
    );
    dictsCreated = true;
  }

  async function write(c: LookupContent): Promise<void> {
    if (!dictsCreated) await createDicts();
    const settings = { async_insert: 0 } as const;
    await store.command('TRUNCATE TABLE intent_zone_prefixes');
    if (c.zones.length > 0) await store.command(INSERT_ZONES, { prefixes: c.zones.map((z) => z.prefix), zones: c.zones.map((z) => z.zone), kinds: c.zones.map((z) => z.kind) }, settings);
    await store.command('TRUNCATE TABLE intent_jewel_prefixes');
    if (c.jewels.length > 0) await store.command(INSERT_JEWELS, { prefixes: c.jewels.map((j) => j.prefix), jewels: c.jewels.map((j) => j.jewel) }, settings);
    await store.command(`SYSTEM RELOAD DICTIONARY ${ZONES_DICT}`);
    await store.command(`SYSTEM RELOAD DICTIONARY ${JEWELS_DICT}`);
  }

  return {
    /** Resolves once the dictionaries reflect the current intent. */
    async ensure(): Promise<void> {
      while (inFlight !== null) await inFlight;
      const c = await content();
      if (c.key === syncedKey) return;
      if (inFlight !== null) return this.ensure();
      inFlight = write(c)
        .then(() => {
          syncedKey = c.key;
        })
        .finally(() => {
          inFlight = null;
        });
      await inFlight;
    },
  };
}

export type IntentLookup = ReturnType<typeof createIntentLookup>;
