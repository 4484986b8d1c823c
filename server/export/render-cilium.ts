// Allow-list → CiliumNetworkPolicy (cilium.io/v2), one per protected jewel/zone, multi-document YAML.
// https://docs.cilium.io/en/stable/security/policy/language/
//
// NOTE: differences from NetworkPolicy: ICMP is expressible (`icmps`), but only per ICMP type, while a
// surfacemap ICMP rule admits every type the initiator sends. We render echo request (IPv4 type 8,
// IPv6 type 128), what ping and health checks send; other initiated types (timestamp, …) are then
// denied, and the warning says so. ICMP errors about admitted flows are related traffic either way.
// A tcp/udp rule without a port is `port: "0"` (Cilium's wildcard). Destinations inside the target are
// picked by the endpointSelector, as with NetworkPolicy.
import type { AllowRule } from '../intent/model.js';
import { formatAddress, minimalPrefixes, type Prefix } from './cidr.js';
import { buildDocuments, objectName, ruleComment, type K8sOptions, type TargetPolicy } from './k8s-common.js';
import { widensDestinations, type CompiledRule, type ExportWarning, type Rendered } from './rule-common.js';

export type CiliumOptions = K8sOptions;

/** The ICMP type rendered for an ICMP rule, per family. */
export const CILIUM_ICMP_ECHO = { IPv4: 8, IPv6: 128 } as const;

const cidr = (p: Prefix) => `${formatAddress(p.v, p.net)}/${p.len}`;

function l4(c: CompiledRule, warnings: ExportWarning[]): object {
  if (c.rule.proto === 'icmp' || c.rule.proto === 'icmp6') {
    const family = c.rule.proto === 'icmp' ? 'IPv4' : 'IPv6';
    warnings.push({
      rule: c.rule.id,
      code: 'icmp-narrowed',
      message: `rule ${c.rule.id}: Cilium matches ICMP per type; rendered echo request only (${family} type ${CILIUM_ICMP_ECHO[family]})`,
    });
    return { icmps: [{ fields: [{ family, type: CILIUM_ICMP_ECHO[family] }] }] };
  }
  const protocol = c.rule.proto === 'udp' ? 'UDP' : 'TCP';
  const port =
    c.ports === null
      ? { port: '0', protocol }
      : c.ports.from === c.ports.to
        ? { port: String(c.ports.from), protocol }
        : { port: String(c.ports.from), endPort: c.ports.to, protocol };
  return { toPorts: [{ ports: [port] }] };
}

function policyObject(p: TargetPolicy, o: K8sOptions, warnings: ExportWarning[]) {
  const header: string[] = [`surfacemap allow-list for ${p.kind} ${p.name}: ${p.ingress.length} ingress, ${p.egress.length} egress rule(s)`];
  const entries = (rules: CompiledRule[], side: 'fromCIDRSet' | 'toCIDRSet') => {
    const out: object[] = [];
    const comments: string[] = [];
    for (const c of rules) {
      const peers = minimalPrefixes(side === 'fromCIDRSet' ? c.src : c.dst);
      if (peers.length === 0) continue;
      const before = warnings.length;
      out.push({ [side]: peers.map((q) => ({ cidr: cidr(q) })), ...l4(c, warnings) });
      for (const w of warnings.slice(before)) header.push(w.message);
      comments.push(ruleComment(c.rule));
    }
    return { out, comments };
  };
  const ing = entries(p.ingress, 'fromCIDRSet');
  const eg = entries(p.egress, 'toCIDRSet');
  if (widensDestinations(p.ingress)) {
    const msg = `${p.kind} ${p.name}: rules for different destination hosts are applied to every endpoint the selector picks`;
    warnings.push({ code: 'destination-by-selector', message: msg });
    header.push(msg);
  }
  const obj = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: {
      name: objectName('surfacemap-', p.name),
      ...(o.namespace ? { namespace: o.namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'surfacemap' },
      annotations: { 'surfacemap.io/protects': p.key },
    },
    spec: {
      endpointSelector: { matchLabels: p.selector },
      ...(p.ingress.length ? { ingress: ing.out } : {}),
      ...(p.egress.length ? { egress: eg.out } : {}),
    },
  };
  return { obj, header, comments: { 'spec.ingress': ing.comments, 'spec.egress': eg.comments } };
}

export function buildCilium(rules: readonly AllowRule[], o: CiliumOptions = {}): Rendered {
  return buildDocuments('CiliumNetworkPolicy', rules, o, (p, warnings) => policyObject(p, o, warnings));
}

/** Multi-document YAML, one CiliumNetworkPolicy per protected jewel/zone; warnings as comments. */
export function renderCilium(rules: readonly AllowRule[], o: CiliumOptions = {}): string {
  return buildCilium(rules, o).text;
}
