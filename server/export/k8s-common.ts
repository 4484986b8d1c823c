// What the NetworkPolicy and CiliumNetworkPolicy renderers share: one policy per protected target
// (jewel or zone), a label selector per target, rule directions, and YAML with comments.
import YAML, { type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import type { AllowRule } from '../intent/model.js';
import {
  activeRules,
  assertUniqueIds,
  compileRule,
  directions,
  inputWarnings,
  protectsKey,
  portText,
  type CompiledRule,
  type Direction,
  type ExportWarning,
  type Targets,
} from './rule-common.js';

export type Labels = Record<string, string>;

export interface K8sOptions {
  /** Each protected target's addresses, to tell ingress rules from egress rules. */
  targets?: Targets;
  /** metadata.namespace of every policy (omitted when absent: `kubectl -n` decides). */
  namespace?: string;
  /** Pod labels of the protected workload, `app=customer-db,tier=db` or an object; for every target. */
  selector?: Labels | string;
  /** Per target name (jewel or zone): overrides `selector`. */
  selectors?: Record<string, Labels | string>;
  /** Leave out rules expired at this instant. */
  now?: string;
}

/** Default selector: `surfacemap.io/jewel: <name>` or `surfacemap.io/zone: <name>`. */
export const LABEL_JEWEL = 'surfacemap.io/jewel';
export const LABEL_ZONE = 'surfacemap.io/zone';

// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** `app=customer-db,tier=db` → `{ app: 'customer-db', tier: 'db' }`; throws on a malformed pair. */
export function parseSelector(s: string): Labels {
  const out: Labels = {};
  for (const part of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`selector "${part}" is not key=value`);
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (!LABEL_KEY.test(k)) throw new Error(`selector key "${k}" is not a valid label key`);
    if (v.length > 63 || !LABEL_VALUE.test(v)) throw new Error(`selector value "${v}" is not a valid label value`);
    out[k] = v;
  }
  if (Object.keys(out).length === 0) throw new Error('selector is empty');
  return out;
}

/** A label value from any name: [A-Za-z0-9._-], ≤ 63, alphanumeric at both ends. */
export function labelValue(s: string): string {
  const t = s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return t === '' ? 'x' : t;
}

/** A DNS-1123 subdomain for metadata.name: `surfacemap-customer-db`. */
export function objectName(prefix: string, s: string): string {
  const t = `${prefix}${s}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 253)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return t === '' ? 'surfacemap' : t;
}

export interface TargetPolicy {
  key: string; // jewel:x | zone:y | all
  kind: 'jewel' | 'zone' | 'all';
  name: string;
  selector: Labels;
  ingress: CompiledRule[];
  egress: CompiledRule[];
}

/** Rules grouped per protected target (in first-appearance order), with their directions and selector. */
export function policiesByTarget(format: string, rules: readonly AllowRule[], o: K8sOptions, warnings: ExportWarning[]): TargetPolicy[] {
  assertUniqueIds(rules);
  const compiled = activeRules(rules, o.now, warnings).map(compileRule);
  for (const c of compiled) warnings.push(...inputWarnings(c));
  let dirs: Map<string, Direction>;
  if (o.targets) dirs = directions(compiled, o.targets, warnings);
  else {
    dirs = new Map(compiled.map((c) => [c.rule.id, 'inbound' as const]));
    if (compiled.length) warnings.push({ code: 'no-targets', message: `no target addresses given: every rule was rendered as ${format} ingress` });
  }
  const byKey = new Map<string, TargetPolicy>();
  for (const c of compiled) {
    const key = protectsKey(c.rule);
    let p = byKey.get(key);
    if (!p) {
      const kind = c.rule.protects.jewel !== undefined ? 'jewel' : c.rule.protects.zone !== undefined ? 'zone' : 'all';
      const name = c.rule.protects.jewel ?? c.rule.protects.zone ?? 'all';
      p = { key, kind, name, selector: selectorFor(kind, name, o, warnings), ingress: [], egress: [] };
      byKey.set(key, p);
    }
    (dirs.get(c.rule.id) === 'outbound' ? p.egress : p.ingress).push(c);
  }
  const policies = [...byKey.values()];
  if (o.selector !== undefined && policies.filter((p) => o.selectors?.[p.name] === undefined).length > 1)
    warnings.push({ code: 'selector-shared', message: `one selector for ${policies.length} protected targets: every policy selects the same pods` });
  return policies;
}

function selectorFor(kind: TargetPolicy['kind'], name: string, o: K8sOptions, warnings: ExportWarning[]): Labels {
  const given = o.selectors?.[name] ?? o.selector;
  if (given !== undefined) return typeof given === 'string' ? parseSelector(given) : { ...given };
  if (kind === 'all') {
    warnings.push({ code: 'no-selector', message: 'rules protecting no jewel or zone: selected by label surfacemap.io/protected=all' });
    return { 'surfacemap.io/protected': 'all' };
  }
  const value = labelValue(name);
  if (value !== name) warnings.push({ code: 'label-value', message: `${kind} "${name}" is not a valid label value: selector uses "${value}"` });
  return { [kind === 'jewel' ? LABEL_JEWEL : LABEL_ZONE]: value };
}

/** One comment line per rule: id, endpoints, port, owner, reason, expiry. */
export function ruleComment(r: AllowRule): string {
  const port = portText(r);
  const text = `${r.id}: ${r.src.name} -> ${r.dst.name} ${r.proto}${port ? `/${port}` : ''}; owner ${r.owner}; reason ${r.reason}${r.expires ? `; expires ${r.expires}` : ''}`;
  return ` ${oneLine(text)}`;
}

export const oneLine = (s: string): string => s.replace(/[\r\n\t]+/g, ' ');

/**
 * A YAML document for `obj`, with `comments[i]` before item i of each listed sequence
 * (`spec.ingress`, `spec.egress`) and `header` lines at the top.
 */
export function yamlDocument(obj: object, header: string[], comments: Record<string, (string | null)[]>): Document {
  const doc = new YAML.Document(obj);
  if (header.length) doc.commentBefore = header.map((h) => ` ${oneLine(h)}`).join('\n');
  for (const [path, list] of Object.entries(comments)) {
    const seq = doc.getIn(path.split('.'), true) as YAMLSeq | undefined;
    if (!seq) continue;
    list.forEach((c, i) => {
      const item = seq.items[i] as YAMLMap | undefined;
      if (item && c) item.commentBefore = c;
    });
  }
  return doc;
}

export function joinDocuments(docs: Document[]): string {
  return docs.map((d) => d.toString({ lineWidth: 0 })).join('---\n');
}

/**
 * The shared skeleton of both renderers: one document per target, the warnings found while grouping
 * (expired rules, bad addresses, unknown directions) as comments on top of the first.
 */
export function buildDocuments(
  format: string,
  rules: readonly AllowRule[],
  o: K8sOptions,
  make: (p: TargetPolicy, warnings: ExportWarning[]) => { obj: object; header: string[]; comments: Record<string, (string | null)[]> },
): { text: string; warnings: ExportWarning[] } {
  const warnings: ExportWarning[] = [];
  const policies = policiesByTarget(format, rules, o, warnings);
  const early = warnings.map((w) => `warning: ${w.message}`);
  const docs = policies.map((p, i) => {
    const { obj, header, comments } = make(p, warnings);
    return yamlDocument(obj, i === 0 ? [...early, ...header] : header, comments);
  });
  if (docs.length === 0) return { text: ['# surfacemap: no rules to render', ...early.map((e) => `# ${oneLine(e)}`), ''].join('\n'), warnings };
  return { text: joinDocuments(docs), warnings };
}
