// NOTE: the shape every named benchmark section has. `run.ts` keeps a list of these; a new bench
// (ingest, query, …) is one more object in that list. A section prints its own table through `log`
// and returns JSON-able data that lands under `sections.<name>` in .bench/results.json.

export interface BenchOptions {
  /** Timed runs per tool (median and min are reported). */
  runs: number;
  /** Skip slow extras (tshark). */
  quick: boolean;
  /** Per-run timeout for the tools, seconds. */
  timeoutS: number;
  /** Capture to use instead of the generated synthetic one. */
  file: string | null;
  /** Repository root (dist/ lives here). */
  root: string;
  log: (line: string) => void;
}

export interface RequiredTool {
  /** Executable name or absolute path. */
  exe: string;
  /** Debian package that provides it. */
  debianPackage: string;
}

export interface SectionResult {
  name: string;
  /** False when our tool failed or a correctness check did not hold (peers are still reported). */
  ok: boolean;
  problems: string[];
  data: Record<string, unknown>;
}

export interface BenchSection {
  name: string;
  description: string;
  requiredTools: (o: BenchOptions) => RequiredTool[];
  run: (o: BenchOptions) => Promise<SectionResult>;
}

/** Left-aligned first column, right-aligned numbers, two spaces between columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const fmt = (r: string[]): string =>
    r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
