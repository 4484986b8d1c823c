// GET /api/v1/crown-jewels — the declared crown jewels (file order).
// PUT /api/v1/crown-jewels/:name { match, owner, why } — adds or replaces one (201 when added).
// DELETE /api/v1/crown-jewels/:name — 204; 404 when there is none; 400 when a rule still protects it.
import { CrownJewelBodySchema, CrownJewelSchema, NameSchema, type CrownJewel } from '../../../../intent/index.js';
import { intentCollectionRoutes } from '../../../intent-collection.js';

export default intentCollectionRoutes<CrownJewel>({
  what: 'crown jewel',
  listKey: 'crown_jewels',
  itemKey: 'crown_jewel',
  nameSchema: NameSchema,
  entrySchema: CrownJewelSchema,
  bodySchema: CrownJewelBodySchema,
  summaries: { list: 'The declared crown jewels', put: 'Add or replace a crown jewel', delete: 'Delete a crown jewel' },
  entries: (intent) => intent.crown_jewels,
  upsert: (store, jewel, opts) => store.upsertCrownJewel(jewel, opts),
  remove: (store, name, opts) => store.deleteCrownJewel(name, opts),
});
