import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenMatches } from './auth.js';

const d = (s: string) => createHash('sha256').update(s).digest();

describe('tokenMatches', () => {
  it('accepts any of the tokens and nothing else (prefixes, longer, empty)', () => {
    const accepted = [d('agent-token-aaaaaaaa'), d('api-token-bbbbbbbbbb')];
    expect(tokenMatches('agent-token-aaaaaaaa', accepted)).toBe(true);
    expect(tokenMatches('api-token-bbbbbbbbbb', accepted)).toBe(true);
    expect(tokenMatches('agent-token-aaaaaaa', accepted)).toBe(false);
    expect(tokenMatches('agent-token-aaaaaaaaa', accepted)).toBe(false);
    expect(tokenMatches('', accepted)).toBe(false);
    expect(tokenMatches('anything', [])).toBe(false);
  });
});
