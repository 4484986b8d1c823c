// The intent file on disk: the current intent and its version, and edits written atomically.
// - Reads are cheap: a stat per call; the file is re-read (and re-validated) only when it changed, so
//   a `git pull` or a hand edit is picked up without a restart.
// - Edits run one at a time (a promise queue), each on the file as it is on disk at that moment, are
//   validated before anything is written, and replace the file by rename (write a temp file in the same
//   directory, fsync, rename), keeping the file's mode. An invalid edit writes nothing.
// - A file that is not valid (at start or after a pull) does not stop anything: the last valid intent
//   (or the empty one) stays in use and `error` says what is wrong until the file is fixed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Document } from 'yaml';
import {
  deleteCrownJewel,
  deleteInventoryItem,
  deleteRules,
  deleteZone,
  renderEdit,
  upsertCrownJewel,
  upsertInventoryItem,
  upsertInventoryItems,
  upsertRules,
  upsertZone,
  type EditResult,
} from './intent-edit.js';
import { IntentError, parseIntent, type ParsedIntent } from './intent-file.js';
import { parseInventoryCsv, type CsvImportResult } from './inventory-csv.js';
import { EMPTY_INTENT, type AllowRule, type CrownJewel, type Intent, type InventoryItem, type Zone } from './model.js';

export interface IntentState {
  /** The file (as configured). */
  path: string;
  /** False while there is no file (the intent is then empty). */
  exists: boolean;
  /** The last valid intent read; the empty intent until there was one. */
  intent: Intent;
  /** The file's text as last read ('' when there is none), valid or not. */
  yaml: string;
  /** Hash of `yaml`: changes whenever the file's content does (edits, hand edits, pulls). */
  version: string;
  /** Why `yaml` is not a valid intent (then `intent` is the last valid one), or null. */
  error: IntentError | null;
}

/** The edit could not apply to the file as it is now. */
export class IntentConflictError extends Error {
  override name = 'IntentConflictError';
  constructor(
    message: string,
    /** 'version': the caller's version is not the file's; 'invalid': the file has errors to fix first. */
    readonly reason: 'version' | 'invalid',
  ) {
    super(message);
  }
}

export interface EditOptions {
  /** Apply only if the file is still at this version (an `If-Match`); else IntentConflictError. */
  ifVersion?: string;
}

export interface Edited<T = undefined> {
  state: IntentState;
  /** True when the edit added the item (false: replaced or deleted). */
  created: boolean;
  detail: T;
}

export interface IntentStore {
  readonly path: string;
  /** The intent as the file is now (re-read when it changed on disk). */
  get(): Promise<IntentState>;
  /** The state as last read, without looking at the disk (the intent plugin refreshes it per API request). */
  current(): IntentState;
  replaceText(text: string, opts?: EditOptions): Promise<Edited>;
  upsertZone(zone: Zone, opts?: EditOptions): Promise<Edited>;
  deleteZone(name: string, opts?: EditOptions): Promise<Edited>;
  upsertCrownJewel(jewel: CrownJewel, opts?: EditOptions): Promise<Edited>;
  deleteCrownJewel(name: string, opts?: EditOptions): Promise<Edited>;
  upsertInventoryItem(item: InventoryItem, opts?: EditOptions): Promise<Edited>;
  deleteInventoryItem(name: string, opts?: EditOptions): Promise<Edited>;
  upsertRules(rules: readonly AllowRule[], opts?: EditOptions): Promise<Edited<{ added: number; updated: number; unchanged: number }>>;
  deleteRules(ids: readonly string[], opts?: EditOptions): Promise<Edited>;
  /** Upserts inventory rows from CSV (see inventory-csv.ts); all rows or none. */
  importInventoryCsv(csv: string, opts?: EditOptions): Promise<Edited<CsvImportResult>>;
}

export interface IntentStoreOptions {
  path: string;
  /** Called once per file version that is not valid (at load, after a pull, …): log it. */
  onInvalid?: (error: IntentError, state: IntentState) => void;
  /** Called when the file could not be read at all (permissions, a directory…). */
  onReadError?: (error: Error) => void;
}

export function versionOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/** Seconds within which a file's mtime cannot tell two writes apart; inside it, the content is hashed. */
const RACY_MS = 2000;

interface DiskStamp {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  readAt: number;
}

/**
 * Opens the intent file. Never throws for the file's content: check `error` on the state.
 * The first `get()` reads the file; call it (or `load`) at start to log problems early.
 */
export function createIntentStore(options: IntentStoreOptions): IntentStore & { load(): Promise<IntentState> } {
  const { path } = options;
  const file = basename(path);
  let parsed: ParsedIntent = parseIntent('', { file });
  let state: IntentState = { path, exists: false, intent: structuredClone(EMPTY_INTENT), yaml: '', version: versionOf(''), error: null };
  let stamp: DiskStamp | null = null;
  let loaded = false;
  let reportedInvalid: string | null = null;

  let tail: Promise<unknown> = Promise.resolve();
  /** Runs `fn` after every earlier queued call has finished (edits and reloads never interleave). */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  }

  function adopt(text: string, exists: boolean, next: ParsedIntent): void {
    parsed = next;
    const error = next.error;
    state = {
      path,
      exists,
      intent: next.intent ?? state.intent,
      yaml: text,
      version: versionOf(text),
      error,
    };
    if (error !== null && reportedInvalid !== state.version) {
      reportedInvalid = state.version;
      options.onInvalid?.(error, state);
    }
  }

  /** Brings `state` up to date with the disk. */
  async function refresh(): Promise<void> {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      stamp = null;
      if (!loaded || state.exists) adopt('', false, parseIntent('', { file }));
      loaded = true;
      return;
    }
    const now = Date.now();
    const same =
      loaded &&
      stamp !== null &&
      st.ino === stamp.ino &&
      st.size === stamp.size &&
      st.mtimeMs === stamp.mtimeMs &&
      st.ctimeMs === stamp.ctimeMs &&
      // Two writes within the mtime's resolution look alike ("racy git"): hash when the file is that new.
      stamp.readAt - st.mtimeMs > RACY_MS;
    if (same) return;
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    const text = await readFile(path, 'utf8');
    stamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, readAt: now };
    if (loaded && state.exists && versionOf(text) === state.version) return;
    adopt(text, true, parseIntent(text, { file }));
    loaded = true;
  }

  async function refreshSafely(): Promise<IntentState> {
    try {
      await refresh();
    } catch (err) {
      // Unreadable file: keep the last intent, say why.
      const e = new IntentError(file, [{ path: '', message: `cannot read ${path}: ${(err as Error).message}` }]);
      if (state.error?.message !== e.message) options.onReadError?.(err as Error);
      state = { ...state, error: e };
      loaded = true;
    }
    return state;
  }

  /** Where to write: the file a symlink points at (a checkout elsewhere stays a checkout). */
  async function target(): Promise<string> {
    try {
      return await realpath(path);
    } catch {
      return path;
    }
  }

  async function writeAtomically(text: string): Promise<void> {
    const dest = await target();
    const dir = dirname(dest);
    await mkdir(dir, { recursive: true });
    let mode = 0o644;
    try {
      mode = (await stat(dest)).mode & 0o7777;
    } catch {
      // new file
    }
    const tmp = join(dir, `.${basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', mode);
    try {
      try {
        await fh.writeFile(text, 'utf8');
        await fh.chmod(mode); // open()'s mode is filtered by the umask; keep the file's own
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, dest);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /** Applies `apply` to the file as it is now; validates; writes; returns the new state. */
  function edit<T>(
    opts: EditOptions,
    apply: (doc: Document) => { result: EditResult; detail: T },
  ): Promise<Edited<T>> {
    return serial(async () => {
      const current = await refreshSafely();
      checkVersion(current, opts);
      if (current.error !== null) {
        throw new IntentConflictError(`the intent file has errors; fix them first (PUT /api/v1/intent replaces the whole file):\n${current.error.message}`, 'invalid');
      }
      const doc = parsed.doc.clone();
      const { result, detail } = apply(doc);
      const created = result.created > 0;
      if (result.ops.length === 0) return { state, created, detail }; // nothing changes
      const text = renderEdit(parsed, doc, result.ops);
      const next = parseIntent(text, { file });
      if (next.error !== null) {
        // The text was never written: name fields, not lines of a file that does not exist.
        throw new IntentError(null, next.error.issues.map(({ path: p, message }) => ({ path: p, message })), next.error.truncated);
      }
      await writeAtomically(text);
      adopt(text, true, next);
      stamp = null; // the next read stats (and, being recent, hashes) the file we wrote
      return { state, created, detail };
    });
  }

  function checkVersion(current: IntentState, opts: EditOptions): void {
    if (opts.ifVersion !== undefined && opts.ifVersion !== current.version) {
      throw new IntentConflictError(
        `the intent file changed since version ${opts.ifVersion} (now ${current.version}); reload it and apply the change again`,
        'version',
      );
    }
  }

  const plain = (f: (doc: Document) => EditResult) => (doc: Document) => ({ result: f(doc), detail: undefined });

  return {
    path,
    load: () => serial(refreshSafely),
    get: () => serial(refreshSafely),
    current: () => state,

    replaceText(text, opts = {}) {
      return serial(async () => {
        const current = await refreshSafely();
        checkVersion(current, opts);
        const next = parseIntent(text, { file });
        if (next.error !== null) throw next.error;
        const created = !current.exists;
        if (!current.exists || text !== current.yaml) {
          await writeAtomically(text);
          adopt(text, true, next);
          stamp = null;
        }
        return { state, created, detail: undefined };
      });
    },
    upsertZone: (zone, opts = {}) => edit(opts, plain((doc) => upsertZone(doc, zone))),
    deleteZone: (name, opts = {}) => edit(opts, plain((doc) => deleteZone(doc, name))),
    upsertCrownJewel: (jewel, opts = {}) => edit(opts, plain((doc) => upsertCrownJewel(doc, jewel))),
    deleteCrownJewel: (name, opts = {}) => edit(opts, plain((doc) => deleteCrownJewel(doc, name))),
    upsertInventoryItem: (item, opts = {}) => edit(opts, plain((doc) => upsertInventoryItem(doc, item))),
    deleteInventoryItem: (name, opts = {}) => edit(opts, plain((doc) => deleteInventoryItem(doc, name))),
    upsertRules: (rules, opts = {}) =>
      edit(opts, (doc) => {
        const result = upsertRules(doc, rules);
        return { result, detail: { added: result.created, updated: result.updated, unchanged: result.unchanged } };
      }),
    deleteRules: (ids, opts = {}) => edit(opts, plain((doc) => deleteRules(doc, ids))),
    importInventoryCsv: (csv, opts = {}) =>
      edit(opts, (doc) => {
        const { items, ignored_columns } = parseInventoryCsv(csv, state.intent.inventory);
        const result = upsertInventoryItems(doc, items);
        return { result, detail: { added: result.created, updated: result.updated, unchanged: result.unchanged, ignored_columns } };
      }),
  };
}
