// The API token: SURFACEMAP_TOKEN when set, else the one stored in the data dir, else a new one
// (stored with mode 0600 and shown once by `surfacemap start`).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const API_TOKEN_FILE = 'api-token';

export interface ApiToken {
  token: string;
  source: 'env' | 'file' | 'generated';
  /** Where it is stored (file and generated). */
  path?: string;
}

export function ensureApiToken(dataDir: string, fromEnv: string | undefined): ApiToken {
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv, source: 'env' };
  const path = join(dataDir, API_TOKEN_FILE);
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) return { token, source: 'file', path };
  }
  mkdirSync(dataDir, { recursive: true });
  const token = `smt_${randomBytes(24).toString('base64url')}`;
  // flag 'w' with mode only applies on create; chmod covers a file that existed (empty or short).
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { token, source: 'generated', path };
}
