// Bearer tokens: when one is a JWT, keep its algorithm and lifetime (exp − iat), never the token.
// JWT: https://www.rfc-editor.org/rfc/rfc7519 ; decoded (not verified) with jose's decodeJwt /
// decodeProtectedHeader, which throw on anything that is not a well-formed JWS compact token. jose is
// loaded on the first bearer JWT seen (Node ≥ 20.19 requires ES modules synchronously), not at start:
// loading it cost every `surfacemap flows` run ~60 ms.
import { createRequire } from 'node:module';

type Jose = Pick<typeof import('jose'), 'decodeJwt' | 'decodeProtectedHeader'>;
let jose: Jose | undefined;
const loadJose = (): Jose => (jose ??= createRequire(import.meta.url)('jose') as Jose);

export interface JwtFacts {
  alg: string | undefined;
  lifetimeS: number | undefined;
}

/** Longest token looked at; real JWTs are far shorter, and this bounds the work. */
export const MAX_JWT_LEN = 8192;

/**
 * buf[from..to) holds a bearer token. Only something shaped like a JWS compact token (three base64url
 * segments, the first two starting with "ey", i.e. a JSON object) is handed to jose; null otherwise.
 */
export function jwtFacts(buf: Uint8Array, from: number, to: number): JwtFacts | null {
  if (to - from > MAX_JWT_LEN || to - from < 8) return null;
  if (buf[from] !== 0x65 || buf[from + 1] !== 0x79) return null; // "ey"
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c === 0x2e) {
      // The payload segment must start with "ey" too: stop at the first dot when it does not.
      if (++dots === 1 && (i + 2 >= to || buf[i + 1] !== 0x65 || buf[i + 2] !== 0x79)) return null;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f || c === 0x3d)) {
      return null; // base64url, '=' padding tolerated (written out: a helper here became a compile of its own)
    }
  }
  if (dots !== 2) return null;
  const token = Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString('latin1');
  try {
    const { decodeJwt, decodeProtectedHeader } = loadJose();
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    const alg = typeof header.alg === 'string' ? header.alg.slice(0, 16) : undefined;
    const lifetimeS =
      typeof claims.exp === 'number' && typeof claims.iat === 'number' && Number.isFinite(claims.exp - claims.iat)
        ? claims.exp - claims.iat
        : undefined;
    return { alg, lifetimeS };
  } catch {
    return null;
  }
}
