// TypeBox schemas of the intent model (model.ts): the shape check for the YAML file and the request
// and response schemas of the intent routes. What a schema cannot say (a CIDR is valid, names are
// unique, a prefix is in one zone only, dates exist) is checked in validate.ts.
// `description` doubles as the human wording of a pattern in error messages.
import { Type, type Static } from '@sinclair/typebox';
import type { AllowRule, CrownJewel, Intent, InventoryItem, Zone } from './model.js';

/** Names travel in URLs (/api/v1/zones/:name); fastify's router takes path parameters up to 100 characters. */
export const NAME_MAX = 100;
/** DNS names (RFC 1035) are at most 253 characters. */
export const HOST_NAME_MAX = 253;
export const CIDR_MAX = 64;

export const ZONE_NAME_PATTERN = '^[a-z0-9][a-z0-9_.-]*$';
export const NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]*$';
export const RULE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]*$';

export const ZoneNameSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: ZONE_NAME_PATTERN,
  description: "lower-case letters, digits, '_', '.' and '-', starting with a letter or digit (at most 63)",
});
export const ZoneKindSchema = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[a-z][a-z0-9-]*$',
  description: 'one lower-case word such as internal, external, partner, dmz, management, cloud',
});
/** Crown-jewel and inventory names. */
export const NameSchema = Type.String({
  minLength: 1,
  maxLength: NAME_MAX,
  pattern: NAME_PATTERN,
  description: `letters, digits, '_', '.' and '-', starting with a letter, digit or '_' (at most ${NAME_MAX})`,
});
/** An IP address or CIDR; validate.ts says which and whether it is valid. */
export const CidrSchema = Type.String({ minLength: 1, maxLength: CIDR_MAX, description: 'an IPv4 or IPv6 address or CIDR' });
/** A crown jewel's match entry: an IP, a CIDR, or a name (inventory, DNS, TLS SNI). */
export const MatchSchema = Type.String({ minLength: 1, maxLength: HOST_NAME_MAX, description: 'an IP, a CIDR or a host name' });
/** People-facing text: owners, reasons, descriptions. Control characters are refused in validate.ts. */
export const text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
export const PortSchema = Type.Integer({ minimum: 1, maximum: 65535, description: 'a port number from 1 to 65535' });
export const DateSchema = Type.String({
  minLength: 10,
  maxLength: 40,
  description: 'an ISO date (2026-11-20) or date-time (2026-11-20T09:30:00Z)',
});

export const ZoneSchema = Type.Object(
  {
    name: ZoneNameSchema,
    kind: ZoneKindSchema,
    cidrs: Type.Array(CidrSchema, { maxItems: 10_000 }),
    description: Type.Optional(text(1000)),
  },
  { additionalProperties: false },
);

export const CrownJewelSchema = Type.Object(
  {
    name: NameSchema,
    match: Type.Array(MatchSchema, { minItems: 1, maxItems: 10_000 }),
    owner: text(200),
    why: text(1000),
  },
  { additionalProperties: false },
);

export const InventoryItemSchema = Type.Object(
  {
    name: NameSchema,
    address: CidrSchema,
    owner: Type.Optional(text(200)),
    role: Type.Optional(text(200)),
  },
  { additionalProperties: false },
);

export const EndpointSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: NAME_MAX,
      pattern: '^[A-Za-z0-9_:]([A-Za-z0-9_.:/@+ -]*[A-Za-z0-9_.:/@+-])?$',
      description: "a name or label: letters, digits, spaces and _ . : / @ + -",
    }),
    cidrs: Type.Array(CidrSchema, { minItems: 1, maxItems: 10_000 }),
  },
  { additionalProperties: false },
);

export const ProtoSchema = Type.Union([Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('icmp'), Type.Literal('icmp6')], {
  description: 'one of tcp, udp, icmp, icmp6',
});

export const AllowRuleSchema = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: NAME_MAX,
      pattern: RULE_ID_PATTERN,
      description: "letters, digits, '_', '.', ':' and '-', starting with a letter or digit",
    }),
    protects: Type.Object(
      { jewel: Type.Optional(NameSchema), zone: Type.Optional(ZoneNameSchema) },
      { additionalProperties: false },
    ),
    src: EndpointSchema,
    dst: EndpointSchema,
    proto: ProtoSchema,
    dport: Type.Optional(
      Type.Union([PortSchema, Type.Object({ from: PortSchema, to: PortSchema }, { additionalProperties: false })], {
        description: 'a port number (1–65535) or a range {from, to}',
      }),
    ),
    owner: text(200),
    reason: text(1000),
    created: DateSchema,
    expires: Type.Optional(DateSchema),
  },
  { additionalProperties: false },
);

const MAX_ITEMS = 100_000;
/** The file: every section optional (a missing section is an empty list). */
export const IntentFileSchema = Type.Object(
  {
    zones: Type.Optional(Type.Array(ZoneSchema, { maxItems: MAX_ITEMS })),
    crown_jewels: Type.Optional(Type.Array(CrownJewelSchema, { maxItems: MAX_ITEMS })),
    inventory: Type.Optional(Type.Array(InventoryItemSchema, { maxItems: MAX_ITEMS })),
    rules: Type.Optional(Type.Array(AllowRuleSchema, { maxItems: MAX_ITEMS })),
  },
  { additionalProperties: false },
);

export const IntentSchema = Type.Object({
  zones: Type.Array(ZoneSchema),
  crown_jewels: Type.Array(CrownJewelSchema),
  inventory: Type.Array(InventoryItemSchema),
  rules: Type.Array(AllowRuleSchema),
});

// The schemas and the model's interfaces must agree (a compile error here means they drifted).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<Static<typeof ZoneSchema>, Zone>,
  Same<Static<typeof CrownJewelSchema>, CrownJewel>,
  Same<Static<typeof InventoryItemSchema>, InventoryItem>,
  Same<Static<typeof AllowRuleSchema>, AllowRule>,
  Same<Static<typeof IntentSchema>, Intent>,
] = [true, true, true, true, true];
void agree;

/** One problem in the file, as the API reports it (intent-file.ts IntentIssue). */
export const IntentIssueSchema = Type.Object({
  path: Type.String(),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.Integer()),
  message: Type.String(),
});

/** Request bodies: an item without its name (the name is in the URL). */
export const ZoneBodySchema = Type.Omit(ZoneSchema, ['name'], { additionalProperties: false });
export const CrownJewelBodySchema = Type.Omit(CrownJewelSchema, ['name'], { additionalProperties: false });
export const InventoryItemBodySchema = Type.Omit(InventoryItemSchema, ['name'], { additionalProperties: false });
