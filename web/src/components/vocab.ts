// Label lists for pickers. Checked against the record type's vocabularies at compile time (the values
// themselves are not imported from common/ so the server's schema code stays out of the bundle).
import type { AuthMethod, Encryption, L4Proto } from '../../../common/flow-record';

export const AUTH_OPTIONS = [
  'none', 'basic', 'bearer', 'digest', 'negotiate', 'other-scheme', 'api-key', 'cookie', 'mtls',
  'tls-server-only', 'password', 'md5', 'scram', 'trust', 'gss', 'sasl', 'community', 'usm', 'unknown',
  'symmetric-key', 'ntlm', 'nla', 'nts',
] as const satisfies readonly AuthMethod[];
export const PROTO_OPTIONS = ['tcp', 'udp', 'icmp', 'icmp6'] as const satisfies readonly L4Proto[];
export const ENCRYPTION_OPTIONS = ['none', 'tls', 'ssh', 'app', 'unknown'] as const satisfies readonly Encryption[];

// Fails to compile when common/flow-record.ts gains a value these lists lack.
type Missing<All, Listed> = Exclude<All, Listed>;
export const vocabularyComplete: [Missing<AuthMethod, (typeof AUTH_OPTIONS)[number]>, Missing<L4Proto, (typeof PROTO_OPTIONS)[number]>, Missing<Encryption, (typeof ENCRYPTION_OPTIONS)[number]>] extends [never, never, never]
  ? true
  : never = true;

/** Zone kinds the intent model documents (server/intent/model.ts ZONE_KINDS); any lower-case word works. */
export const ZONE_KIND_OPTIONS = ['internal', 'external', 'partner', 'dmz', 'management', 'cloud'] as const;
