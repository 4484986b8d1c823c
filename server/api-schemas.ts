// Query and response schemas shared by the analysis routes (docs/api.md). Every string parameter has a
// pattern: besides being passed to SQL only as a parameter, a value that cannot be a zone, an app or an
// address is refused with a 400 naming the field, so nonsense never reaches the store.
import { Type, type Static } from '@sinclair/typebox';
import { badRequest } from './errors.js';
import type { TimeRange } from './repositories/analysis-repository.js';

export const DAY_MS = 86_400_000;
export const DEFAULT_RANGE_DAYS = 7;
export const MAX_RANGE_DAYS = 400;

export const ZoneName = Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,99}$', description: 'a zone name' });
export const JewelName = Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$', description: 'a crown-jewel name' });
export const Label = Type.String({ pattern: '^[a-z0-9][a-z0-9_.+-]{0,63}$', description: 'an app or auth label, e.g. postgresql, bearer' });
/** An IP address or a host/asset name. */
export const AssetRef = Type.String({ pattern: '^[A-Za-z0-9_:][A-Za-z0-9_.:%-]{0,252}$', description: 'an IP address or an asset name' });
export const IpAddress = Type.String({ pattern: '^[0-9A-Fa-f.:]{2,45}$', description: 'an IPv4 or IPv6 address' });
export const Proto = Type.Union([Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('icmp'), Type.Literal('icmp6')]);
export const SnapshotName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 _.#:-]{0,63}$', description: 'e.g. "sprint 42"' });

export const RangeQuery = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601; default: `to` − 7 days' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601; default: now' })),
};

/** from/to → a checked range (defaults: the last 7 days). */
export function parseRange(q: { from?: string; to?: string }, now = new Date()): TimeRange {
  const to = q.to !== undefined ? new Date(q.to) : now;
  const from = q.from !== undefined ? new Date(q.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (Number.isNaN(to.getTime())) throw badRequest('querystring/to is not a valid date-time');
  if (Number.isNaN(from.getTime())) throw badRequest('querystring/from is not a valid date-time');
  if (from.getTime() >= to.getTime()) throw badRequest(`"from" (${from.toISOString()}) must be before "to" (${to.toISOString()})`);
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw badRequest(`a time range may span at most ${MAX_RANGE_DAYS} days`);
  if (from.getUTCFullYear() < 1970 || to.getUTCFullYear() > 2299) throw badRequest('time range must lie between 1970 and 2299');
  return { from, to };
}

const Time = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const EdgeSchema = Type.Object({
  src: Type.String(),
  src_name: NullableString,
  src_zone: Type.String(),
  src_jewel: NullableString,
  dst: Type.String(),
  dst_name: NullableString,
  dst_zone: Type.String(),
  dst_jewel: NullableString,
  dport: Type.Integer(),
  proto: Type.String(),
  app: Type.String(),
  auth: Type.String(),
  encryption: Type.String(),
  flows: Type.Integer(),
  packets: Type.Integer(),
  bytes: Type.Integer(),
  first_seen: Time,
  last_seen: Time,
  clients: Type.Integer(),
  crown_jewel: NullableString,
  crossing: Type.Boolean(),
});
export type EdgeOut = Static<typeof EdgeSchema>;

export const SnapshotSchema = Type.Object({
  name: Type.String(),
  from: Time,
  to: Time,
  created: Time,
  edges: Type.Integer(),
});
