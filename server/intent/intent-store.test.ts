import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, lstatSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntentError } from './intent-file.js';
import { IntentNotFoundError } from './intent-edit.js';
import { createIntentStore, IntentConflictError, versionOf } from './intent-store.js';
import { CsvImportError } from './inventory-csv.js';

const ACME = readFileSync(new URL('./testdata/acme.yaml', import.meta.url), 'utf8');

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'intent-store-'));
  file = join(dir, 'surfacemap.yaml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Replaces the file the way `git pull` or an editor does: a new file renamed over the old one. */
function replaceOnDisk(path: string, text: string): void {
  const tmp = `${path}.incoming`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

describe('intent store', () => {
  it('treats a missing file as the empty intent and creates it on the first edit', async () => {
    const store = createIntentStore({ path: file });
    const empty = await store.get();
    expect(empty).toMatchObject({ exists: false, yaml: '', error: null, intent: { zones: [], crown_jewels: [], inventory: [], rules: [] } });
    const { state, created } = await store.upsertZone({ name: 'prod', kind: 'internal', cidrs: ['10.0.0.0/22'] });
    expect(created).toBe(true);
    expect(state.exists).toBe(true);
    expect(state.intent.zones).toEqual([{ name: 'prod', kind: 'internal', cidrs: ['10.0.0.0/22'] }]);
    expect(readFileSync(file, 'utf8')).toBe(state.yaml);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(state.version).toBe(versionOf(state.yaml));
    expect(state.version).not.toBe(empty.version);
  });

  it('an invalid edit writes nothing: the file stays byte-identical and no temp file is left', async () => {
    writeFileSync(file, ACME);
    const before = statSync(file);
    const store = createIntentStore({ path: file });
    await expect(store.upsertZone({ name: 'dmz', kind: 'dmz', cidrs: ['10.0.0.300/24'] })).rejects.toThrow(
      new IntentError(null, [{ path: 'zones[3].cidrs[0]', message: '"10.0.0.300/24" is not a valid IP address or CIDR' }]),
    );
    // A rule still protects this jewel: validated on the whole file before anything is written.
    await expect(store.deleteCrownJewel('customer-db')).rejects.toThrow('rules[0].protects.jewel: there is no crown jewel "customer-db"');
    await expect(store.deleteZone('nope')).rejects.toThrow(IntentNotFoundError);
    expect(readFileSync(file, 'utf8')).toBe(ACME);
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(readdirSync(dir)).toEqual(['surfacemap.yaml']);
  });

  it('writes by rename in the same directory, keeping the file mode', async () => {
    writeFileSync(file, ACME);
    chmodSync(file, 0o600);
    const ino = statSync(file).ino;
    const store = createIntentStore({ path: file });
    await store.upsertInventoryItem({ name: 'web-2', address: '10.0.1.11' });
    const st = statSync(file);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.ino).not.toBe(ino); // a new file took the old one's place
    expect(readdirSync(dir)).toEqual(['surfacemap.yaml']);
    expect(readFileSync(file, 'utf8')).toContain('  - name: web-2\n    address: 10.0.1.11\n');
  });

  it('edits through a symlink change the file it points at and keep the link', async () => {
    const checkout = join(dir, 'checkout');
    mkdirSync(checkout);
    writeFileSync(join(checkout, 'intent.yaml'), ACME);
    symlinkSync(join(checkout, 'intent.yaml'), file);
    const store = createIntentStore({ path: file });
    await store.deleteInventoryItem('web-1');
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(checkout, 'intent.yaml'), 'utf8')).not.toContain('  - name: web-1\n');
    expect(readdirSync(checkout)).toEqual(['intent.yaml']);
  });

  it('picks up changes made on disk (a git pull) without a restart, and edits apply to them', async () => {
    writeFileSync(file, 'zones:\n  - name: a\n    kind: internal\n    cidrs: [10.1.0.0/16]\n');
    const store = createIntentStore({ path: file });
    const v1 = (await store.get()).version;
    replaceOnDisk(file, 'zones:\n  - name: b\n    kind: internal\n    cidrs: [10.2.0.0/16]\n');
    const s2 = await store.get();
    expect(s2.intent.zones.map((z) => z.name)).toEqual(['b']);
    expect(s2.version).not.toBe(v1);
    // Written in place (same inode, same size): still seen.
    writeFileSync(file, 'zones:\n  - name: c\n    kind: internal\n    cidrs: [10.3.0.0/16]\n');
    expect((await store.get()).intent.zones.map((z) => z.name)).toEqual(['c']);
    replaceOnDisk(file, 'zones:\n  - name: d\n    kind: internal\n    cidrs: [10.4.0.0/16]\n');
    const { state } = await store.upsertZone({ name: 'e', kind: 'internal', cidrs: ['10.5.0.0/16'] });
    expect(state.intent.zones.map((z) => z.name)).toEqual(['d', 'e']);
  });

  it('a file that turns invalid keeps the last valid intent, says why once, and refuses item edits until fixed', async () => {
    writeFileSync(file, ACME);
    const reported: string[] = [];
    const store = createIntentStore({ path: file, onInvalid: (e) => reported.push(e.message) });
    const good = await store.get();
    const broken = ACME.replace('cidrs: [203.0.113.0/24]', 'cidrs: [203.0.113.0/33]');
    replaceOnDisk(file, broken);
    const s = await store.get();
    await store.get();
    expect(s.intent).toEqual(good.intent);
    expect(s.yaml).toBe(broken);
    expect(s.version).toBe(versionOf(broken));
    expect(s.error?.message).toBe('surfacemap.yaml:20:13 zones[2].cidrs[0]: "203.0.113.0/33" is not a valid IP address or CIDR');
    expect(reported).toEqual([s.error!.message]);
    const refused = await store.upsertZone({ name: 'x', kind: 'internal', cidrs: [] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(IntentConflictError);
    expect((refused as IntentConflictError).reason).toBe('invalid');
    expect(readFileSync(file, 'utf8')).toBe(broken);
    const fixed = await store.replaceText(ACME);
    expect(fixed.state.error).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe(ACME);
  });

  it('starts with the empty intent and an error when the file is invalid from the start', async () => {
    writeFileSync(file, 'zones:\n  - name: a\n    kind: [\n');
    const reported: string[] = [];
    const store = createIntentStore({ path: file, onInvalid: (e) => reported.push(e.message) });
    const s = await store.load();
    expect(s.intent).toEqual({ zones: [], crown_jewels: [], inventory: [], rules: [] });
    expect(s.error?.issues[0]).toMatchObject({ line: 4, column: 1 });
    expect(reported).toHaveLength(1);
  });

  it('a path that cannot be read is an error on the state, not a crash', async () => {
    mkdirSync(file);
    const errors: string[] = [];
    const store = createIntentStore({ path: file, onReadError: (e) => errors.push(e.message) });
    const s = await store.load();
    expect(s.error?.message).toMatch(/^surfacemap\.yaml cannot read .*surfacemap\.yaml: .* is not a regular file$/);
    expect(errors).toHaveLength(1);
  });

  it('serialises concurrent edits: none is lost', async () => {
    const store = createIntentStore({ path: file });
    const n = 25;
    await Promise.all(Array.from({ length: n }, (_, i) => store.upsertInventoryItem({ name: `host-${i}`, address: `10.0.0.${i + 1}` })));
    const text = readFileSync(file, 'utf8');
    const fresh = createIntentStore({ path: file });
    const names = (await fresh.get()).intent.inventory.map((i) => i.name).sort();
    expect(names).toEqual(Array.from({ length: n }, (_, i) => `host-${i}`).sort());
    expect(text).toBe((await store.get()).yaml);
  });

  it('applies an edit only at the version the caller saw (If-Match)', async () => {
    writeFileSync(file, ACME);
    const store = createIntentStore({ path: file });
    const { version } = await store.get();
    await store.upsertInventoryItem({ name: 'web-2', address: '10.0.1.11' }, { ifVersion: version });
    const stale = await store.upsertInventoryItem({ name: 'web-3', address: '10.0.1.12' }, { ifVersion: version }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(IntentConflictError);
    expect((stale as IntentConflictError).reason).toBe('version');
    expect(readFileSync(file, 'utf8')).not.toContain('web-3');
    await expect(store.replaceText('', { ifVersion: version })).rejects.toThrow(IntentConflictError);
  });

  it('replaces the whole text only when it is valid', async () => {
    writeFileSync(file, ACME);
    const store = createIntentStore({ path: file });
    await expect(store.replaceText('zones:\n  - name: a\n    kind: internal\n    cidrs: [10.0.0.1/8]\n')).rejects.toThrow(
      'surfacemap.yaml:4:13 zones[0].cidrs[0]: "10.0.0.1/8" has host bits set',
    );
    expect(readFileSync(file, 'utf8')).toBe(ACME);
    const { state } = await store.replaceText('# emptied\n');
    expect(state.intent.zones).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('# emptied\n');
  });

  it('imports inventory CSV: all rows or none', async () => {
    writeFileSync(file, ACME);
    const store = createIntentStore({ path: file });
    const { detail } = await store.importInventoryCsv('name,ip,role\ncustomer-db,10.0.2.20,postgres primary\nweb-1,10.0.1.10,nginx 1.27\nweb-2,10.0.1.11,nginx\n');
    expect(detail).toEqual({ added: 1, updated: 1, unchanged: 1, ignored_columns: [] });
    const inv = (await store.get()).intent.inventory;
    // No owner column: customer-db keeps its owner.
    expect(inv).toEqual([
      { name: 'customer-db', address: '10.0.2.20', owner: 'data-team', role: 'postgres primary' },
      { name: 'web-1', address: '10.0.1.10', role: 'nginx 1.27' },
      { name: 'web-2', address: '10.0.1.11', role: 'nginx' },
    ]);
    const text = readFileSync(file, 'utf8');
    await expect(store.importInventoryCsv('name,ip\nweb-9,10.0.1.19\nweb-10,10.0.1.300\n')).rejects.toThrow(CsvImportError);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
