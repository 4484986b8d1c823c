// Reading the intent file: YAML text → a validated Intent, or an IntentError whose issues point at
// line:column in the text. The parsed Document (comments, order, source ranges) is kept for edits
// (intent-edit.ts). Format: docs/intent.md.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Intent } from './model.js';
import { formatPath, MAX_ISSUES, validateIntent, type RawIssue, type Segment } from './validate.js';

export const DEFAULT_INTENT_FILE_NAME = 'surfacemap.yaml';

/** One problem in the file. `line`/`column` (1-based) are absent when there is no text to point at. */
export interface IntentIssue {
  path: string; // 'zones[1].cidrs[0]'; '' for the file as a whole (YAML syntax)
  line?: number;
  column?: number;
  message: string;
}

/** The file (or an edit of it) is not a valid intent; `issues` lists every problem found. */
export class IntentError extends Error {
  override name = 'IntentError';
  constructor(
    /** File name shown in messages (`surfacemap.yaml`), or null for issues in a request body. */
    readonly file: string | null,
    readonly issues: IntentIssue[],
    /** More issues exist than are listed. */
    readonly truncated = false,
  ) {
    super(formatIssues(file, issues, truncated));
  }
}

/** `surfacemap.yaml:12:7 zones[1].cidrs[0]: "10.0.0.300/24" is not a valid IP address or CIDR`. */
export function formatIssue(file: string | null, issue: IntentIssue): string {
  const where =
    issue.line !== undefined ? `${file ?? 'line'}${file === null ? ' ' : ':'}${issue.line}:${issue.column ?? 1}` : (file ?? '');
  if (issue.path === '') return where === '' ? issue.message : `${where} ${issue.message}`;
  return `${where === '' ? '' : `${where} `}${issue.path}: ${issue.message}`;
}

export function formatIssues(file: string | null, issues: readonly IntentIssue[], truncated = false): string {
  const lines = issues.map((i) => formatIssue(file, i));
  if (truncated) lines.push(`… and more; fix these first`);
  return lines.join('\n');
}

export interface ParsedIntent {
  text: string;
  doc: Document;
  lineCounter: LineCounter;
  /** Null when the text is not a valid intent (then `error` says why). */
  intent: Intent | null;
  error: IntentError | null;
}

export interface ParseOptions {
  /** Name shown in messages; default `surfacemap.yaml`. */
  file?: string;
}

/** Position of the node at `path` (or of the nearest existing parent), 1-based. */
export function positionOf(doc: Document, lc: LineCounter, path: readonly Segment[], atKey = false): { line: number; column: number } | null {
  let node: unknown = doc.contents;
  let best: Node | null = isNode(node) ? node : null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value === seg : p.key === seg));
      if (pair === undefined) break;
      const last = i === path.length - 1;
      if (isNode(pair.key) && (last && atKey || !isNode(pair.value))) best = pair.key;
      else if (isNode(pair.value)) best = pair.value;
      node = pair.value;
      if (last && atKey) break;
    } else if (isSeq(node) && typeof seg === 'number' && isNode(node.items[seg])) {
      node = node.items[seg];
      best = node as Node;
    } else break;
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return null;
  const { line, col } = lc.linePos(offset);
  return { line, column: col };
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && 'range' in v;
}

/** The short form of a yaml error message (it appends " at line L, column C:" and a source excerpt). */
function shortYamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim();
}

/**
 * Parses and validates intent YAML. Empty text (or only comments) is the empty intent. Never throws
 * for bad input: problems come back in `error`.
 */
export function parseIntent(text: string, options: ParseOptions = {}): ParsedIntent {
  const file = options.file ?? DEFAULT_INTENT_FILE_NAME;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, prettyErrors: true, uniqueKeys: true });
  const fail = (issues: IntentIssue[], truncated = false): ParsedIntent => ({ text, doc, lineCounter, intent: null, error: new IntentError(file, issues, truncated) });

  // Warnings are errors too: unknown tags and the like have no place in a policy file.
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    return fail(
      yamlProblems.slice(0, MAX_ISSUES).map((e) => ({
        path: '',
        line: e.linePos?.[0].line,
        column: e.linePos?.[0].col,
        message: `YAML: ${shortYamlMessage(e.message)}`,
      })),
    );
  }

  let value: unknown;
  try {
    // maxAliasCount guards against alias expansion bombs ("billion laughs").
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail([{ path: '', line: 1, column: 1, message: `YAML: ${(err as Error).message}` }]);
  }

  const locate = (path: readonly Segment[], atKey = false) => positionOf(doc, lineCounter, path, atKey);
  const at = (path: Segment[]) => {
    const pos = locate(path);
    return pos === null ? formatPath(path) : `line ${pos.line}`;
  };
  const result = validateIntent(value, at);
  if (result.intent !== null) return { text, doc, lineCounter, intent: result.intent, error: null };
  const truncated = result.issues.length > MAX_ISSUES;
  const issues = result.issues
    .slice(0, MAX_ISSUES)
    .map((raw: RawIssue) => {
      const pos = locate(raw.path, raw.atKey);
      return { path: formatPath(raw.path), ...(pos ?? {}), message: raw.message };
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return fail(issues, truncated);
}

/** The intent in `text`; throws IntentError when it is not valid. */
export function readIntent(text: string, options: ParseOptions = {}): Intent {
  const parsed = parseIntent(text, options);
  if (parsed.error !== null) throw parsed.error;
  return parsed.intent!;
}
