// How protected an edge is, from its encryption and auth labels (common/flow-record.ts AUTH_METHODS,
// ENCRYPTIONS). Four classes, worst first; the map gives each a colour AND a dash pattern, and marks
// the two worst ones when they go into a crown jewel.

export const SECURITY_CLASSES = ['unauthenticated', 'plaintext', 'unknown', 'encrypted'] as const;
export type Security = (typeof SECURITY_CLASSES)[number];

export const SECURITY_LABELS: Record<Security, string> = {
  unauthenticated: 'No authentication',
  plaintext: 'Cleartext (credentials or auth not visible)',
  unknown: 'Not determined (ICMP, undetected protocol)',
  encrypted: 'Encrypted (TLS, SSH, app-level)',
};

/** Auth labels that mean "no credential was presented". */
const NO_CREDENTIAL = new Set(['none', 'trust']);
const ENCRYPTED = new Set(['tls', 'ssh', 'app']);

export function edgeSecurity(e: { proto: string; encryption: string | null; auth: string | null }): Security {
  const auth = e.auth ?? 'unknown';
  const enc = e.encryption ?? 'unknown';
  // ICMP carries no credentials by design: "not applicable", not "unauthenticated".
  if (e.proto === 'icmp' || e.proto === 'icmp6') return 'unknown';
  if (ENCRYPTED.has(enc)) return 'encrypted';
  if (NO_CREDENTIAL.has(auth)) return 'unauthenticated';
  if (enc === 'none') return 'plaintext';
  return 'unknown';
}

const RANK: Record<Security, number> = { unauthenticated: 3, plaintext: 2, unknown: 1, encrypted: 0 };

export function worstSecurity(classes: Iterable<Security>): Security {
  let worst: Security = 'encrypted';
  let any = false;
  for (const c of classes) {
    any = true;
    if (RANK[c] > RANK[worst]) worst = c;
  }
  return any ? worst : 'unknown';
}

/** Plaintext or unauthenticated: what must stand out when it goes into a crown jewel. */
export function isWeak(s: Security): boolean {
  return s === 'unauthenticated' || s === 'plaintext';
}
