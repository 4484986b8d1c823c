// NetworkPolicy and CiliumNetworkPolicy: the YAML we print is parsed back and validated against the
// published schemas (kubernetes-models, @kubernetes-models/cilium).
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import type { AllowRule } from '../intent/model.js';
import { generateRules } from './generate-rules.js';
import { labelValue, objectName, parseSelector } from './k8s-common.js';
import { buildCilium } from './render-cilium.js';
import { buildNetworkPolicy, renderNetworkPolicy } from './render-k8s.js';
import { targetsFromEdges } from './rule-common.js';
import { CREATED, EDGES } from './testdata/fixtures.js';

const targets = targetsFromEdges(EDGES);
const jewelRules = generateRules(EDGES, { owner: 'dba-team', created: CREATED, jewel: 'customer-db' });
const allRules = generateRules(EDGES, { owner: 'sec', created: CREATED });

type Obj = any;
function parseDocs(text: string): Obj[] {
  const docs = YAML.parseAllDocuments(text);
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS());
}

function rule(over: Partial<AllowRule>): AllowRule {
  return {
    id: 'r', protects: { jewel: 'customer-db' }, src: { name: 'web', cidrs: ['10.0.1.0/24'] }, dst: { name: 'customer-db', cidrs: ['10.0.2.20/32'] },
    proto: 'tcp', dport: 5432, owner: 'dba-team', reason: 'app', created: CREATED, ...over,
  };
}

describe('NetworkPolicy', () => {
  it('one valid policy per jewel: ingress from ipBlocks, egress to them, TCP/UDP ports', () => {
    const { text, warnings } = buildNetworkPolicy(jewelRules, { targets, selector: 'app=customer-db', namespace: 'shop' });
    const docs = parseDocs(text);
    expect(docs).toHaveLength(1);
    for (const d of docs) new NetworkPolicy(d).validate();
    const p = docs[0];
    expect(p.metadata).toMatchObject({ name: 'surfacemap-customer-db', namespace: 'shop' });
    expect(p.spec.podSelector).toEqual({ matchLabels: { app: 'customer-db' } });
    expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(p.spec.ingress[2]).toEqual({
      from: [{ ipBlock: { cidr: '10.0.1.10/32' } }, { ipBlock: { cidr: '10.0.1.11/32' } }, { ipBlock: { cidr: 'fd00:1::12/128' } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    });
    expect(p.spec.ingress).toHaveLength(6); // 8 inbound rules, 2 of them ICMP
    expect(p.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '52.216.0.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '10.0.9.8/32' } }], ports: [{ protocol: 'UDP', port: 8125 }] },
    ]);
    // ICMP is never dropped silently: a warning and a comment for each
    expect(warnings.filter((w) => w.code === 'icmp-not-expressible').map((w) => w.rule)).toEqual(['customer-db-icmp-from-mgmt', 'customer-db-icmp6-from-mgmt']);
    expect(text).toContain('# rule customer-db-icmp-from-mgmt (icmp) is not expressible in NetworkPolicy (TCP/UDP/SCTP only): left out');
    expect(text).toContain('# customer-db-tcp-5432-from-prod: web-1, web-2, web-3 -> customer-db tcp/5432; owner dba-team; reason observed 9300 flows');
  });

  it('every target of a full rule set, default selector labels, valid', () => {
    const { text, warnings } = buildNetworkPolicy(allRules, { targets });
    const docs = parseDocs(text);
    expect(docs.map((d) => [d.metadata.name, d.spec.podSelector.matchLabels])).toEqual([
      ['surfacemap-customer-db', { 'surfacemap.io/jewel': 'customer-db' }],
      ['surfacemap-payments-api', { 'surfacemap.io/jewel': 'payments-api' }],
      ['surfacemap-data', { 'surfacemap.io/zone': 'data' }],
      ['surfacemap-internet', { 'surfacemap.io/zone': 'internet' }],
      ['surfacemap-mgmt', { 'surfacemap.io/zone': 'mgmt' }],
    ]);
    for (const d of docs) new NetworkPolicy(d).validate();
    expect(warnings.some((w) => w.code === 'direction-unknown')).toBe(false);
  });

  it('port ranges use endPort, any port omits the port; validation catches a broken object', () => {
    const text = renderNetworkPolicy([rule({ id: 'range', proto: 'udp', dport: { from: 8000, to: 9000 } }), rule({ id: 'any', dport: undefined })], { targets });
    const [p] = parseDocs(text);
    new NetworkPolicy(p).validate();
    expect(p.spec.ingress.map((i: Obj) => i.ports)).toEqual([[{ protocol: 'UDP', port: 8000, endPort: 9000 }], [{ protocol: 'TCP' }]]);
    p.spec.policyTypes = ['Sideways'];
    expect(() => new NetworkPolicy(p).validate()).toThrow();
  });

  it('says when the pod selector admits more than the rules (per-host rules of one jewel)', () => {
    const rules = [rule({ id: 'to-db-1', dst: { name: 'db-1', cidrs: ['10.0.2.20/32'] } }), rule({ id: 'to-db-2', src: { name: 'batch', cidrs: ['10.0.1.20/32'] }, dst: { name: 'db-2', cidrs: ['10.0.2.21/32'] } })];
    const t = { jewels: { 'customer-db': ['10.0.2.20', '10.0.2.21'] }, zones: {} };
    const { text, warnings } = buildNetworkPolicy(rules, { targets: t });
    expect(warnings.map((w) => w.code)).toEqual(['destination-by-selector']);
    expect(text).toContain('# jewel customer-db: rules for different destination hosts are applied to every pod the selector picks');
    // a dual-stack destination is not a widening: the IPv4 sources can only reach the IPv4 address
    expect(buildNetworkPolicy(jewelRules, { targets }).warnings.map((w) => w.code)).not.toContain('destination-by-selector');
    // a rule whose addresses are outside every target is flagged, not guessed silently
    expect(buildNetworkPolicy([rule({ dst: { name: 'elsewhere', cidrs: ['10.9.9.9/32'] } })], { targets: t }).warnings.map((w) => w.code)).toEqual(['direction-unknown']);
  });

  it('warnings for direction-less rules and an empty set; selectors are parsed strictly', () => {
    const { warnings } = buildNetworkPolicy(jewelRules, {});
    expect(warnings.map((w) => w.code)).toContain('no-targets');
    expect(renderNetworkPolicy([], {})).toBe('# surfacemap: no rules to render\n');
    expect(parseSelector('app=customer-db, tier=db')).toEqual({ app: 'customer-db', tier: 'db' });
    expect(() => parseSelector('app')).toThrow(/key=value/);
    expect(() => parseSelector('app=has space')).toThrow(/label value/);
    expect(labelValue('Customer DB (prod)')).toBe('Customer-DB-prod');
    expect(objectName('surfacemap-', 'Customer DB!')).toBe('surfacemap-customer-db');
  });
});

describe('CiliumNetworkPolicy', () => {
  it('valid; fromCIDRSet/toCIDRSet with toPorts; ICMP as echo request via icmps, with a warning', () => {
    const { text, warnings } = buildCilium(jewelRules, { targets, selectors: { 'customer-db': { app: 'customer-db' } } });
    const docs = parseDocs(text);
    expect(docs).toHaveLength(1);
    for (const d of docs) new CiliumNetworkPolicy(d).validate();
    const s = docs[0].spec;
    expect(s.endpointSelector).toEqual({ matchLabels: { app: 'customer-db' } });
    expect(s.ingress).toHaveLength(8);
    expect(s.ingress[2]).toEqual({
      fromCIDRSet: [{ cidr: '10.0.1.10/32' }, { cidr: '10.0.1.11/32' }, { cidr: 'fd00:1::12/128' }],
      toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
    });
    expect(s.ingress.slice(6)).toEqual([
      { fromCIDRSet: [{ cidr: '10.0.9.7/32' }], icmps: [{ fields: [{ family: 'IPv4', type: 8 }] }] },
      { fromCIDRSet: [{ cidr: 'fd00:9::7/128' }], icmps: [{ fields: [{ family: 'IPv6', type: 128 }] }] },
    ]);
    expect(s.egress[1]).toEqual({ toCIDRSet: [{ cidr: '10.0.9.8/32' }], toPorts: [{ ports: [{ port: '8125', protocol: 'UDP' }] }] });
    expect(warnings.filter((w) => w.code === 'icmp-narrowed')).toHaveLength(2);
    expect(text).toContain('# rule customer-db-icmp-from-mgmt: Cilium matches ICMP per type; rendered echo request only (IPv4 type 8)');
  });

  it('every target of a full rule set is valid; ranges and any port', () => {
    for (const d of parseDocs(buildCilium(allRules, { targets }).text)) new CiliumNetworkPolicy(d).validate();
    const [p] = parseDocs(buildCilium([rule({ id: 'range', dport: { from: 8000, to: 9000 } }), rule({ id: 'any', proto: 'udp', dport: undefined })], { targets }).text);
    new CiliumNetworkPolicy(p).validate();
    expect(p.spec.ingress.map((i: Obj) => i.toPorts[0].ports[0])).toEqual([
      { port: '8000', endPort: 9000, protocol: 'TCP' },
      { port: '0', protocol: 'UDP' },
    ]);
    p.spec.ingress[0].fromCIDRSet[0].cidr = '10.0.0.0/33';
    expect(() => new CiliumNetworkPolicy(p).validate()).toThrow();
  });
});
