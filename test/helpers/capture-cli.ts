// Test-only: run `surfacemap flows --json` and tshark on one committed capture (the detection fixture
// tests compare the two). Both fail loudly when their program is missing; nothing is skipped.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowRecord } from '../../common/flow-record.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** A program's stdout (throws with its stderr when it fails or is missing). */
export function runTool(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `flows --json FILE` once per test file: the NDJSON text and its records sorted by start. */
export function cliFlows(file: string): () => { text: string; recs: FlowRecord[] } {
  let cached: { text: string; recs: FlowRecord[] } | undefined;
  return () => {
    if (cached === undefined) {
      if (!existsSync(CLI)) throw new Error(`${relative(ROOT, CLI)} is missing: run npm run build`);
      const text = runTool(process.execPath, [CLI, 'flows', '--json', file]);
      const recs = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as FlowRecord);
      recs.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      cached = { text, recs };
    }
    return cached;
  };
}

/** tshark fields of the frames of `file` matching a filter, one array per frame; `decode`: extra -d rules. */
export function tsharkFields(file: string, decode: string[] = []): (filter: string, fields: string[]) => string[][] {
  return (filter, fields) =>
    runTool('tshark', ['-n', ...decode, '-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])])
      .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
