import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLineWriter } from './output.js';

const dir = mkdtempSync(join(tmpdir(), 'surfacemap-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('line writer', () => {
  it('writes every line once, in order, across buffer flushes, with multi-byte text and a line larger than the buffer', () => {
    const path = join(dir, 'out.ndjson');
    const fd = openSync(path, 'w');
    const w = createLineWriter(fd);
    const want: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const line = i % 1000 === 7 ? `{"sni":"ünï-${i}-✓-𝄞"}` : `{"n":${i},"pad":"${'x'.repeat(i % 97)}"}`;
      want.push(line);
      w.line(line);
    }
    const huge = 'é'.repeat(400_000);
    want.push(huge);
    w.line(huge);
    w.line('last');
    want.push('last');
    w.flush();
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(want.join('\n') + '\n');
  });
});
