// server/export: pure functions from observations and rules to the files a team acts on — allow-lists
// (nftables, NetworkPolicy, CiliumNetworkPolicy, AWS security groups, CSV), policy simulation, rule
// hygiene and the procurement spec (CSV, Markdown, XLSX). No SQL, no HTTP: routes and the CLI fetch
// edges and rules, call one function, and send the result. Guide: docs/exports.md.
export type { ObservedEdge, ObservedFlow } from './edge.js';
export { generateRules, sizing, EPHEMERAL_PORT_MIN, type GenerateOptions, type Sizing } from './generate-rules.js';
export {
  targetsFromEdges,
  ruleDirection,
  compileRule,
  isExpired,
  type Targets,
  type Direction,
  type ExportWarning,
  type Rendered,
} from './rule-common.js';
export { renderAllowlist, ALLOWLIST_FORMATS, type AllowlistFormat, type AllowlistOptions, type RenderedAllowlist } from './render-allowlist.js';
export { renderNftables, buildNftables, type NftablesOptions } from './render-nftables.js';
export { renderNetworkPolicy, buildNetworkPolicy, type NetworkPolicyOptions } from './render-k8s.js';
export { renderCilium, buildCilium, type CiliumOptions } from './render-cilium.js';
export { parseSelector, type K8sOptions, type Labels } from './k8s-common.js';
export { renderAws, buildAws, awsSecurityGroupRules, type AwsOptions, type AwsDocument, type AwsIpPermission } from './render-aws.js';
export { renderAllowlistCsv, buildAllowlistCsv, ALLOWLIST_CSV_COLUMNS, type AllowlistCsvOptions } from './render-csv.js';
export { simulate, hygieneInputs, type SimulateOptions, type SimulationResult, type DeniedGroup, type RuleUsage } from './simulate.js';
export { hygiene, type HygieneFinding, type HygieneOptions, type FindingKind } from './hygiene.js';
export {
  buildSpecModel,
  type SpecModel,
  type SpecRow,
  type SpecExtra,
  type AgentCoverage,
  type JwtObservation,
  type PatternRef,
  type Requirement,
} from './spec-model.js';
export { renderSpecCsv, renderSpecMarkdown, renderSpecXlsx, SPEC_COLUMNS } from './render-spec.js';
