// GET /api/v1/zones — declared zones (file order) and the built-in ones.
// PUT /api/v1/zones/:name { kind, cidrs, description? } — adds or replaces a zone (201 when added).
// DELETE /api/v1/zones/:name — 204; 404 when there is no such zone.
// Edits keep the YAML's comments and order; invalid input answers 400 naming the field.
import { Type } from '@sinclair/typebox';
import {
  BUILTIN_ZONE_KINDS,
  INTERNET_ZONE,
  UNASSIGNED_RANGES,
  UNASSIGNED_ZONE,
  ZoneBodySchema,
  ZoneNameSchema,
  ZoneSchema,
  type Zone,
} from '../../../../intent/index.js';
import { intentCollectionRoutes } from '../../../intent-collection.js';

const BuiltinZone = Type.Object({ name: Type.String(), kind: Type.String(), cidrs: Type.Array(Type.String()), description: Type.String() });
const BUILTIN = [
  {
    name: UNASSIGNED_ZONE,
    kind: BUILTIN_ZONE_KINDS[UNASSIGNED_ZONE]!,
    cidrs: UNASSIGNED_RANGES.map((r) => r.cidr),
    description: 'private, unique-local, link-local, loopback and CGNAT space no declared zone covers',
  },
  { name: INTERNET_ZONE, kind: BUILTIN_ZONE_KINDS[INTERNET_ZONE]!, cidrs: ['0.0.0.0/0', '::/0'], description: 'every other address no declared zone covers' },
];

export default intentCollectionRoutes<Zone>({
  what: 'zone',
  listKey: 'zones',
  itemKey: 'zone',
  nameSchema: ZoneNameSchema,
  entrySchema: ZoneSchema,
  bodySchema: ZoneBodySchema,
  summaries: { list: 'Declared zones and the built-in ones (unassigned, internet)', put: 'Add or replace a zone', delete: 'Delete a zone' },
  entries: (intent) => intent.zones,
  upsert: (store, zone, opts) => store.upsertZone(zone, opts),
  remove: (store, name, opts) => store.deleteZone(name, opts),
  extra: { schema: { builtin: Type.Array(BuiltinZone) }, value: { builtin: BUILTIN } },
});
