// GET /api/v1/inventory/declared — the declared inventory (file order).
// PUT /api/v1/inventory/declared/:name { address, owner?, role? } — adds or replaces an item (201 when added).
// DELETE /api/v1/inventory/declared/:name — 204; 404 when there is none.
import { InventoryItemBodySchema, InventoryItemSchema, NameSchema, type InventoryItem } from '../../../../../intent/index.js';
import { intentCollectionRoutes } from '../../../../intent-collection.js';

export default intentCollectionRoutes<InventoryItem>({
  what: 'inventory item',
  listKey: 'inventory',
  itemKey: 'item',
  nameSchema: NameSchema,
  entrySchema: InventoryItemSchema,
  bodySchema: InventoryItemBodySchema,
  summaries: {
    list: 'The declared inventory',
    put: 'Add or replace a declared inventory item',
    delete: 'Delete a declared inventory item',
  },
  entries: (intent) => intent.inventory,
  upsert: (store, item, opts) => store.upsertInventoryItem(item, opts),
  remove: (store, name, opts) => store.deleteInventoryItem(name, opts),
});
