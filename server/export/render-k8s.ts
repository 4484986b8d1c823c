// Allow-list → Kubernetes NetworkPolicy (networking.k8s.io/v1), one per protected jewel/zone, as
// multi-document YAML. https://kubernetes.io/docs/concepts/services-networking/network-policies/
//
// NOTE: what NetworkPolicy cannot say, and what we do about it (each one is a warning and a comment):
//   - ICMP: NetworkPolicy ports are TCP/UDP/SCTP only. ICMP rules are left out; whether ICMP to the
//     selected pods still passes depends on the network plugin.
//   - Destinations inside the target: the podSelector picks every pod of the jewel/zone, so a rule for
//     one host of a jewel admits its sources to every selected pod.
//   - Addresses: sources are ipBlocks (CIDRs). Kubernetes meant ipBlock for traffic from outside the
//     cluster; pod IPs change, so in-cluster sources are better re-expressed with pod/namespace selectors.
import type { AllowRule } from '../intent/model.js';
import { formatAddress, minimalPrefixes, type Prefix } from './cidr.js';
import {
  buildDocuments,
  objectName,
  ruleComment,
  type K8sOptions,
  type TargetPolicy,
} from './k8s-common.js';
import { widensDestinations, type CompiledRule, type ExportWarning, type Rendered } from './rule-common.js';

export type NetworkPolicyOptions = K8sOptions;

const cidr = (p: Prefix) => `${formatAddress(p.v, p.net)}/${p.len}`;

interface NpPort {
  protocol: 'TCP' | 'UDP';
  port?: number;
  endPort?: number;
}

function npPorts(c: CompiledRule): NpPort[] {
  const protocol = c.rule.proto === 'udp' ? 'UDP' : 'TCP';
  if (c.ports === null) return [{ protocol }];
  return [c.ports.from === c.ports.to ? { protocol, port: c.ports.from } : { protocol, port: c.ports.from, endPort: c.ports.to }];
}

/** The NetworkPolicy object for one target (plain JSON-able data) and the comments to print with it. */
function policyObject(p: TargetPolicy, o: K8sOptions, warnings: ExportWarning[]) {
  const header: string[] = [`surfacemap allow-list for ${p.kind} ${p.name}: ${p.ingress.length} ingress, ${p.egress.length} egress rule(s)`];
  const notExpressible = (c: CompiledRule) => {
    const msg = `rule ${c.rule.id} (${c.rule.proto}) is not expressible in NetworkPolicy (TCP/UDP/SCTP only): left out`;
    warnings.push({ rule: c.rule.id, code: 'icmp-not-expressible', message: msg });
    header.push(msg);
  };
  const entries = (rules: CompiledRule[], side: 'from' | 'to') => {
    const out: object[] = [];
    const comments: string[] = [];
    for (const c of rules) {
      if (c.rule.proto === 'icmp' || c.rule.proto === 'icmp6') {
        notExpressible(c);
        continue;
      }
      const peers = minimalPrefixes(side === 'from' ? c.src : c.dst);
      if (peers.length === 0) continue;
      out.push({ [side]: peers.map((q) => ({ ipBlock: { cidr: cidr(q) } })), ports: npPorts(c) });
      comments.push(ruleComment(c.rule));
    }
    return { out, comments };
  };
  const ing = entries(p.ingress, 'from');
  const eg = entries(p.egress, 'to');
  if (widensDestinations(p.ingress)) {
    const msg = `${p.kind} ${p.name}: rules for different destination hosts are applied to every pod the selector picks`;
    warnings.push({ code: 'destination-by-selector', message: msg });
    header.push(msg);
  }
  const policyTypes = [...(p.ingress.length ? ['Ingress'] : []), ...(p.egress.length ? ['Egress'] : [])];
  const obj = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: objectName('surfacemap-', p.name),
      ...(o.namespace ? { namespace: o.namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'surfacemap' },
      annotations: { 'surfacemap.io/protects': p.key },
    },
    spec: {
      podSelector: { matchLabels: p.selector },
      policyTypes,
      ...(p.ingress.length ? { ingress: ing.out } : {}),
      ...(p.egress.length ? { egress: eg.out } : {}),
    },
  };
  return { obj, header, comments: { 'spec.ingress': ing.comments, 'spec.egress': eg.comments } };
}

export function buildNetworkPolicy(rules: readonly AllowRule[], o: NetworkPolicyOptions = {}): Rendered {
  return buildDocuments('NetworkPolicy', rules, o, (p, warnings) => policyObject(p, o, warnings));
}

/** Multi-document YAML, one NetworkPolicy per protected jewel/zone; warnings as comments. */
export function renderNetworkPolicy(rules: readonly AllowRule[], o: NetworkPolicyOptions = {}): string {
  return buildNetworkPolicy(rules, o).text;
}
