// Edits of the intent file that keep what people wrote: comments, key order, quoting and flow/block
// style. Two steps:
//  1. An edit changes a yaml Document (the parsed file) in place — upsert or delete one item of a
//     section, keeping the item's untouched fields, list entries and their comments.
//  2. `renderEdit` turns the edited Document back into text by splicing only the changed items into the
//     original text (so the rest of the file is byte-identical), and falls back to printing the whole
//     Document (same data, comments kept, spacing normalised) when the layout is unusual.
import { isDeepStrictEqual } from 'node:util';
import { Document, isCollection, isMap, isPair, isScalar, isSeq, parseDocument, Scalar, YAMLSeq, type Node, type YAMLMap } from 'yaml';
import { INTENT_SECTIONS, type AllowRule, type CrownJewel, type IntentSection, type InventoryItem, type Zone } from './model.js';
import { AllowRuleSchema, CrownJewelSchema, InventoryItemSchema, ZoneSchema } from './schema.js';

/** Field order of new items: the model's (name first), whatever order a request body had. */
const FIELD_ORDER: Record<IntentSection, string[]> = {
  zones: Object.keys(ZoneSchema.properties),
  crown_jewels: Object.keys(CrownJewelSchema.properties),
  inventory: Object.keys(InventoryItemSchema.properties),
  rules: Object.keys(AllowRuleSchema.properties),
};

/** A plain copy of `value` with its fields in model order and no undefined fields. */
function ordered(section: IntentSection, value: Record<string, unknown>): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of FIELD_ORDER[section]) if (plain[k] !== undefined) out[k] = plain[k];
  for (const [k, v] of Object.entries(plain)) if (!(k in out)) out[k] = v;
  return out;
}

/** What an edit did to a section, in terms of the items of the Document before the edit. */
export type EditOp =
  | { op: 'replace'; section: IntentSection; index: number }
  | { op: 'delete'; section: IntentSection; index: number }
  | { op: 'append'; section: IntentSection; count: number }
  /** Structure changed (a section added, the file was empty): only a whole-file print is right. */
  | { op: 'restructure' };

export interface EditResult {
  ops: EditOp[];
  created: number;
  updated: number;
  unchanged: number;
}

/** The item (by key) that an edit expected but the file does not have. */
export class IntentNotFoundError extends Error {
  override name = 'IntentNotFoundError';
  constructor(
    readonly what: string,
    readonly names: string[],
  ) {
    super(`there is no ${what} ${names.map((n) => JSON.stringify(n)).join(', ')}`);
  }
}

/** Printing options: no line folding, `[a, b]` flow lists as people write them. */
export const TO_STRING = { lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

const NEW_FILE_HEADER =
  ' surfacemap intent: trust zones, crown jewels, declared inventory and allow-list rules.\n' +
  ' Edited by hand (keep it in git) and by the surfacemap UI and API, which keep comments and order.\n' +
  ' Format: docs/intent.md';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsOf(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isCollection(node)) return node.toJSON();
  return node;
}

/** Short lists of plain values print on one line (`cidrs: [10.0.0.0/22]`), as people write them. */
const FLOW_LIST_MAX = 72;

function compactLists(node: unknown): void {
  if (isSeq(node)) {
    if (node.items.every((i) => isScalar(i)) && JSON.stringify(node.toJSON()).length <= FLOW_LIST_MAX) node.flow = true;
    else node.items.forEach(compactLists);
  } else if (isMap(node)) {
    for (const pair of node.items) compactLists(pair.value);
  }
}

/** `value` as a node, in the style of `old` where there was one (flow lists stay flow, quotes stay). */
function nodeLike(doc: Document, old: unknown, value: unknown): Node {
  const node = doc.createNode(value) as Node;
  if (old === undefined) compactLists(node);
  if (isCollection(old) && isCollection(node)) node.flow = old.flow;
  if (isScalar(old) && isScalar(node) && typeof value === 'string' && old.type !== undefined && old.type !== Scalar.PLAIN) {
    node.type = old.type;
  }
  if (isScalar(old) || isCollection(old)) {
    node.comment = old.comment;
    node.commentBefore = old.commentBefore;
  }
  return node;
}

/**
 * Makes `old` hold `value`, reusing what is unchanged: an equal node is kept as is, a map keeps its
 * keys (and their comments) and gets new ones at the end, a list keeps the entries that stay.
 */
export function syncNode(doc: Document, old: unknown, value: unknown): Node {
  if (isDeepStrictEqual(jsOf(old), value)) return old as Node;
  if (isMap(old) && isRecord(value)) {
    syncMap(doc, old, value);
    return old;
  }
  if (isSeq(old) && Array.isArray(value)) {
    const pool = [...old.items];
    old.items = value.map((v) => {
      const i = pool.findIndex((n) => isDeepStrictEqual(jsOf(n), v));
      return i >= 0 ? pool.splice(i, 1)[0]! : nodeLike(doc, undefined, v);
    });
    return old;
  }
  return nodeLike(doc, old, value);
}

function syncMap(doc: Document, map: YAMLMap, value: Record<string, unknown>): void {
  for (const pair of [...map.items]) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key !== 'string' || value[key] === undefined) map.delete(pair.key);
  }
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const pair = map.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === key);
    if (pair === undefined) map.set(key, nodeLike(doc, undefined, v));
    else pair.value = syncNode(doc, pair.value, v);
  }
}

/** The section's list in the Document, created (and the file made a map) when missing. */
function sectionSeq(doc: Document, section: IntentSection, ops: EditOp[]): YAMLSeq {
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
    if (doc.commentBefore == null && doc.comment == null) doc.commentBefore = NEW_FILE_HEADER;
  }
  const root = doc.contents;
  if (!isMap(root)) throw new TypeError('the intent file is not a map (validate it before editing)');
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === section);
  if (pair !== undefined && isSeq(pair.value)) return pair.value;
  const seq = new YAMLSeq();
  if (pair !== undefined) pair.value = seq; // `zones:` with nothing after it
  else {
    // New sections go where they belong in the usual order (zones, crown_jewels, inventory, rules).
    const rank = (k: unknown) => INTENT_SECTIONS.indexOf(k as IntentSection);
    const at = root.items.findIndex((p) => isScalar(p.key) && rank(p.key.value) > rank(section));
    const newPair = doc.createPair(section, seq);
    // A blank line between sections.
    if (root.items.length > 0 && at !== 0 && isScalar(newPair.key)) newPair.key.spaceBefore = true;
    if (at === 0 && isScalar(root.items[0]?.key)) (root.items[0]!.key as Scalar).spaceBefore = true;
    if (at < 0) root.items.push(newPair);
    else root.items.splice(at, 0, newPair);
  }
  ops.push({ op: 'restructure' });
  return seq;
}

function keyOf(item: unknown, key: string): unknown {
  return isMap(item) ? item.get(key) : undefined;
}

/** Puts each value into the section by `key`: replaces the item with that key, or appends. */
export function upsertItems(doc: Document, section: IntentSection, key: 'name' | 'id', values: readonly Record<string, unknown>[]): EditResult {
  const ops: EditOp[] = [];
  const seq = sectionSeq(doc, section, ops);
  const result: EditResult = { ops, created: 0, updated: 0, unchanged: 0 };
  const index = new Map<unknown, number>();
  seq.items.forEach((item, i) => {
    const k = keyOf(item, key);
    if (!index.has(k)) index.set(k, i);
  });
  const originalLength = seq.items.length;
  for (const value of values) {
    const clean = ordered(section, value);
    const i = index.get(clean[key]);
    if (i === undefined) {
      if (seq.flow && seq.items.length === 0) seq.flow = false; // `zones: []` becomes a block list
      // A list of one-line `{...}` items gets another one-liner.
      const like = seq.items[seq.items.length - 1];
      const node = nodeLike(doc, undefined, clean);
      if (isMap(like) && like.flow && isMap(node)) node.flow = true;
      index.set(clean[key], seq.items.length);
      seq.items.push(node);
      result.created++;
    } else if (isDeepStrictEqual(jsOf(seq.items[i]), clean)) {
      result.unchanged++;
    } else {
      seq.items[i] = syncNode(doc, seq.items[i], clean);
      if (i < originalLength && !ops.some((o) => o.op === 'replace' && o.section === section && o.index === i)) {
        ops.push({ op: 'replace', section, index: i });
      }
      result.updated++;
    }
  }
  if (seq.items.length > originalLength) ops.push({ op: 'append', section, count: seq.items.length - originalLength });
  return result;
}

/** Deletes the items with these keys; throws IntentNotFoundError naming those not there (and changes nothing). */
export function deleteItems(doc: Document, section: IntentSection, key: 'name' | 'id', keys: readonly string[], what: string): EditResult {
  const root = doc.contents;
  const pair = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === section) : undefined;
  const seq = pair !== undefined && isSeq(pair.value) ? pair.value : null;
  const present = new Set((seq?.items ?? []).map((item) => keyOf(item, key)));
  const missing = keys.filter((k) => !present.has(k));
  if (missing.length > 0) throw new IntentNotFoundError(what, missing);
  const ops: EditOp[] = [];
  const drop = new Set<unknown>(keys);
  seq!.items.forEach((item, index) => {
    if (drop.has(keyOf(item, key))) ops.push({ op: 'delete', section, index });
  });
  seq!.items = seq!.items.filter((item) => !drop.has(keyOf(item, key)));
  return { ops, created: 0, updated: 0, unchanged: 0 };
}

export const upsertZone = (doc: Document, zone: Zone) => upsertItems(doc, 'zones', 'name', [zone as unknown as Record<string, unknown>]);
export const deleteZone = (doc: Document, name: string) => deleteItems(doc, 'zones', 'name', [name], 'zone');
export const upsertCrownJewel = (doc: Document, jewel: CrownJewel) => upsertItems(doc, 'crown_jewels', 'name', [jewel as unknown as Record<string, unknown>]);
export const deleteCrownJewel = (doc: Document, name: string) => deleteItems(doc, 'crown_jewels', 'name', [name], 'crown jewel');
export const upsertInventoryItems = (doc: Document, items: readonly InventoryItem[]) =>
  upsertItems(doc, 'inventory', 'name', items as unknown as Record<string, unknown>[]);
export const upsertInventoryItem = (doc: Document, item: InventoryItem) => upsertInventoryItems(doc, [item]);
export const deleteInventoryItem = (doc: Document, name: string) => deleteItems(doc, 'inventory', 'name', [name], 'inventory item');
export const upsertRules = (doc: Document, rules: readonly AllowRule[]) => upsertItems(doc, 'rules', 'id', rules as unknown as Record<string, unknown>[]);
export const deleteRules = (doc: Document, ids: readonly string[]) => deleteItems(doc, 'rules', 'id', ids, 'rule');

// ---- rendering -----------------------------------------------------------------------------------

/** The original text with its parse, as intent-file.ts's ParsedIntent has them. */
export interface Source {
  text: string;
  doc: Document;
}

interface Splice {
  from: number; // first line replaced (0-based)
  to: number; // line after the last one replaced
  lines: string[];
}

function printAll(source: Source, edited: Document): string {
  // Lists under a key: indented (`  - x`) unless the file writes them flush with the key.
  const flush = /^[A-Za-z_]+:[ \t]*\r?\n-[ \t]/m.test(source.text);
  const out = edited.toString({ ...TO_STRING, indentSeq: !flush });
  return source.text.includes('\r\n') ? out.replace(/\r?\n/g, '\r\n') : out;
}

/**
 * The text of `edited` (an edit of `source.doc` described by `ops`). Unchanged items keep their exact
 * text; the result always parses to the same data as `edited`.
 */
export function renderEdit(source: Source, edited: Document, ops: readonly EditOp[]): string {
  const spliced = ops.some((o) => o.op === 'restructure') ? null : splice(source, edited, ops);
  if (spliced !== null) {
    const check = parseDocument(spliced);
    if (check.errors.length === 0 && isDeepStrictEqual(check.toJS(), edited.toJS())) return spliced;
  }
  return printAll(source, edited);
}

function splice(source: Source, edited: Document, ops: readonly EditOp[]): string | null {
  try {
    return spliceLines(source, edited, ops);
  } catch {
    return null; // e.g. an item that uses an anchor defined elsewhere cannot be printed alone
  }
}

function spliceLines(source: Source, edited: Document, ops: readonly EditOp[]): string | null {
  const { text, doc } = source;
  if (ops.length === 0) return text;
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const lines: string[] = starts.map((s, i) => text.slice(s, i + 1 < starts.length ? starts[i + 1] : text.length).replace(/\r?\n$/, ''));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  /** 0-based line of a text offset. */
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const oldSeq = (section: IntentSection) => {
    const s = doc.get(section, true);
    return isSeq(s) && !s.flow && s.items.length > 0 ? s : null;
  };
  const newSeq = (section: IntentSection) => {
    const s = edited.get(section, true);
    return isSeq(s) ? s : null;
  };

  /** Line span of an item of a block list: its `- ` line, its content, and for deletes its comments. */
  const span = (item: unknown) => {
    if (!isCollection(item) && !isScalar(item)) return null;
    const range = item.range;
    if (range === undefined || range === null) return null;
    const first = lineOf(range[0]);
    const lead = text.slice(starts[first], range[0]);
    const m = /^( *)- +$/.exec(lead);
    if (m === null) return null;
    const indent = m[1]!.length;
    let last = lineOf(Math.max(range[0], range[1] - 1));
    // Comment lines right below, indented deeper than the dash, belong to the item.
    let trail = last;
    while (trail + 1 < lines.length && new RegExp(`^ {${indent + 1},}#`).test(lines[trail + 1]!)) trail++;
    // Comment lines right above at the dash's indent describe the item.
    let lead0 = first;
    while (lead0 - 1 >= 0 && new RegExp(`^ {${indent}}#`).test(lines[lead0 - 1]!)) lead0--;
    if (last < first) last = first;
    return { first, last, trail, lead: lead0, indent };
  };

  const render = (node: unknown, indent: number): string[] => {
    const d = new Document();
    const clone = (node as Node).clone();
    clone.commentBefore = undefined;
    clone.comment = undefined;
    clone.spaceBefore = false;
    const seq = new YAMLSeq();
    seq.items.push(clone);
    d.contents = seq as unknown as typeof d.contents;
    const out = d.toString(TO_STRING).replace(/\n$/, '');
    return out.split('\n').map((l) => (l === '' ? l : ' '.repeat(indent) + l));
  };

  const splices: Splice[] = [];
  for (const op of ops) {
    if (op.op === 'restructure') return null;
    const before = oldSeq(op.section);
    const after = newSeq(op.section);
    if (before === null || after === null) return null;
    if (op.op === 'replace') {
      // Replaced items keep their index (an upsert only appends after them).
      const s = span(before.items[op.index]);
      const node = after.items[op.index];
      if (s === null || node === undefined) return null;
      splices.push({ from: s.first, to: s.last + 1, lines: render(node, s.indent) });
    } else if (op.op === 'delete') {
      if (after.items.length === 0) return null; // an empty list needs `[]`: print the whole file
      const s = span(before.items[op.index]);
      if (s === null) return null;
      let to = s.trail + 1;
      // Don't leave two blank lines where the item was between blank lines.
      const blankAbove = s.lead === 0 || lines[s.lead - 1]!.trim() === '' || op.index === 0;
      if (blankAbove && to < lines.length && lines[to]!.trim() === '') to++;
      splices.push({ from: s.lead, to, lines: [] });
    } else {
      const lastOld = span(before.items[before.items.length - 1]);
      if (lastOld === null) return null;
      const added = after.items.slice(after.items.length - op.count);
      // Items separated by blank lines get a blank line too.
      const spaced = before.items.length > 1 && lastOld.lead > 0 && lines[lastOld.lead - 1]!.trim() === '';
      splices.push({
        from: lastOld.trail + 1,
        to: lastOld.trail + 1,
        lines: added.flatMap((n) => [...(spaced ? [''] : []), ...render(n, lastOld.indent)]),
      });
    }
  }
  // Apply from the bottom up so earlier line numbers stay valid.
  splices.sort((a, b) => b.from - a.from || b.to - a.to);
  for (let i = 1; i < splices.length; i++) if (splices[i]!.to > splices[i - 1]!.from) return null; // overlap
  for (const s of splices) lines.splice(s.from, s.to - s.from, ...s.lines);
  const endsWithEol = /\r?\n$/.test(text);
  return lines.join(eol) + (endsWithEol && lines.length > 0 && lines[lines.length - 1] !== '' ? eol : '');
}
