import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_TOKEN_FILE, ensureApiToken } from './api-token.js';

const dir = mkdtempSync(join(tmpdir(), 'sm-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('API token', () => {
  it('is generated once, stored with mode 0600, then reused', () => {
    const data = join(dir, 'data');
    const first = ensureApiToken(data, undefined);
    expect(first.source).toBe('generated');
    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(data, API_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    const second = ensureApiToken(data, '');
    expect(second).toEqual({ token: first.token, source: 'file', path: join(data, API_TOKEN_FILE) });
  });

  it('comes from SURFACEMAP_TOKEN when set, and then nothing is written', () => {
    const data = join(dir, 'env');
    expect(ensureApiToken(data, 'from-the-environment-123')).toEqual({ token: 'from-the-environment-123', source: 'env' });
    expect(() => statSync(join(data, API_TOKEN_FILE))).toThrow();
  });

  it('replaces an empty token file and tightens its mode', () => {
    const data = join(dir, 'empty');
    ensureApiToken(data, undefined);
    writeFileSync(join(data, API_TOKEN_FILE), '', { mode: 0o644 });
    const t = ensureApiToken(data, undefined);
    expect(t.source).toBe('generated');
    expect(statSync(join(data, API_TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });
});
