// The intent: what a team declares (zones, crown jewels, inventory, allow-list rules) in one YAML file.
// Public surface of server/intent; format and semantics in docs/intent.md.
export {
  BUILTIN_ZONE_KINDS,
  EMPTY_INTENT,
  INTENT_SECTIONS,
  INTERNET_ZONE,
  UNASSIGNED_RANGES,
  UNASSIGNED_ZONE,
  ZONE_KINDS,
  type AllowRule,
  type CrownJewel,
  type Endpoint,
  type Intent,
  type IntentSection,
  type InventoryItem,
  type Zone,
} from './model.js';
export {
  AllowRuleSchema,
  CrownJewelBodySchema,
  CrownJewelSchema,
  EndpointSchema,
  IntentIssueSchema,
  IntentSchema,
  InventoryItemBodySchema,
  InventoryItemSchema,
  NAME_MAX,
  NameSchema,
  ZoneBodySchema,
  ZoneNameSchema,
  ZoneSchema,
} from './schema.js';
export { looksLikeAddress as isAddressMatch } from './validate.js';
export {
  DEFAULT_INTENT_FILE_NAME,
  formatIssue,
  formatIssues,
  IntentError,
  parseIntent,
  readIntent,
  type IntentIssue,
  type ParsedIntent,
} from './intent-file.js';
export {
  deleteCrownJewel,
  deleteInventoryItem,
  deleteRules,
  deleteZone,
  IntentNotFoundError,
  renderEdit,
  upsertCrownJewel,
  upsertInventoryItem,
  upsertInventoryItems,
  upsertRules,
  upsertZone,
  type EditOp,
  type EditResult,
} from './intent-edit.js';
export {
  createIntentStore,
  IntentConflictError,
  versionOf,
  type Edited,
  type EditOptions,
  type IntentState,
  type IntentStore,
} from './intent-store.js';
export { CsvImportError, parseInventoryCsv, type CsvImportResult } from './inventory-csv.js';
export {
  createJewelLookup,
  createZoneLookup,
  jewelOf,
  jewelPrefixes,
  RESOLVE_NONE,
  zoneMatch,
  zoneOf,
  zonePrefixes,
  type JewelPrefix,
  type ResolveName,
  type ZoneMatch,
  type ZonePrefix,
} from './resolve.js';
export { formatCidr, formatIp, parseIp, parsePrefix } from './ip.js';
