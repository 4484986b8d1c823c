import { describe, expect, it } from 'vitest';
import type { AllowRule } from '../intent/model.js';
import { generateRules } from './generate-rules.js';
import { AWS_DESCRIPTION_MAX, awsDescription, awsSecurityGroupRules, buildAws } from './render-aws.js';
import { targetsFromEdges } from './rule-common.js';
import { CREATED, EDGES } from './testdata/fixtures.js';

const targets = targetsFromEdges(EDGES);
const jewelRules = generateRules(EDGES, { owner: 'dba-team', created: CREATED, jewel: 'customer-db' });
const ALLOWED = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

function rule(over: Partial<AllowRule>): AllowRule {
  return {
    id: 'r', protects: { jewel: 'customer-db' }, src: { name: 'web', cidrs: ['10.0.1.0/24'] }, dst: { name: 'customer-db', cidrs: ['10.0.2.20/32'] },
    proto: 'tcp', dport: 5432, owner: 'dba-team', reason: 'app', created: CREATED, ...over,
  };
}

describe('AWS security group rules', () => {
  it('is the EC2 API request shape: IpPermissions with IpProtocol, ports, IpRanges and Ipv6Ranges', () => {
    const { text, warnings } = buildAws(jewelRules, { targets, groupIds: { 'customer-db': 'sg-0123456789abcdef0' } });
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual(['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress']);
    const [ingress] = doc.AuthorizeSecurityGroupIngress;
    expect(ingress.GroupId).toBe('sg-0123456789abcdef0');
    const pg = ingress.IpPermissions.find((p: { FromPort: number }) => p.FromPort === 5432);
    expect(pg).toEqual({
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      IpRanges: [
        { CidrIp: '10.0.1.10/32', Description: 'web-1, web-2, web-3 (rule customer-db-tcp-5432-from-prod; owner dba-team)' },
        { CidrIp: '10.0.1.11/32', Description: 'web-1, web-2, web-3 (rule customer-db-tcp-5432-from-prod; owner dba-team)' },
        { CidrIp: '10.0.2.30/32', Description: 'payments-api (rule customer-db-tcp-5432-from-data; owner dba-team)' },
      ],
      Ipv6Ranges: [{ CidrIpv6: 'fd00:1::12/128', Description: 'web-1, web-2, web-3 (rule customer-db-tcp-5432-from-prod; owner dba-team)' }],
    });
    expect(ingress.IpPermissions.filter((p: { IpProtocol: string }) => p.IpProtocol.startsWith('icmp'))).toEqual([
      { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: '10.0.9.7/32', Description: 'prometheus (rule customer-db-icmp-from-mgmt; owner dba-team)' }] },
      { IpProtocol: 'icmpv6', FromPort: -1, ToPort: -1, Ipv6Ranges: [{ CidrIpv6: 'fd00:9::7/128', Description: 'prometheus (rule customer-db-icmp6-from-mgmt; owner dba-team)' }] },
    ]);
    expect(doc.AuthorizeSecurityGroupEgress[0].IpPermissions.map((p: { IpProtocol: string; FromPort: number; IpRanges: { CidrIp: string }[] }) => [p.IpProtocol, p.FromPort, p.IpRanges[0]!.CidrIp])).toEqual([
      ['tcp', 443, '52.216.0.10/32'],
      ['udp', 8125, '10.0.9.8/32'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('merges rules with the same protocol and ports without duplicate CIDRs; ranges and any port', () => {
    const rules = [
      rule({ id: 'a', dst: { name: 'db-1', cidrs: ['10.0.2.20/32'] } }),
      rule({ id: 'b', dst: { name: 'db-2', cidrs: ['10.0.2.21/32'] } }),
      rule({ id: 'range', proto: 'udp', dport: { from: 8000, to: 9000 } }),
      rule({ id: 'any', dport: undefined }),
    ];
    const { document, warnings } = awsSecurityGroupRules(rules, { targets: { jewels: { 'customer-db': ['10.0.2.20', '10.0.2.21'] }, zones: {} } });
    const perms = document.AuthorizeSecurityGroupIngress[0]!.IpPermissions;
    expect(perms.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges!.length])).toEqual([
      ['tcp', 0, 65535, 1],
      ['tcp', 5432, 5432, 1],
      ['udp', 8000, 9000, 1],
    ]);
    expect(perms[1]!.IpRanges![0]!.Description).toBe('web (rule a, b; owner dba-team)');
    expect(warnings.map((w) => w.code)).toEqual(['any-port', 'group-id-placeholder', 'destination-by-group']);
    expect(document.AuthorizeSecurityGroupIngress[0]!.GroupId).toBe('REPLACE-with-security-group-of-customer-db');
  });

  it('descriptions keep to the allowed characters and 255 characters', () => {
    const evil = 'Ana’s "laptop" <script> | ~ ? % ümlaut ✓ ' + 'y'.repeat(400);
    const { document } = awsSecurityGroupRules([rule({ src: { name: evil, cidrs: ['10.0.1.10/32'] }, owner: evil })], { targets });
    const d = document.AuthorizeSecurityGroupIngress[0]!.IpPermissions[0]!.IpRanges![0]!.Description;
    expect(d.length).toBeLessThanOrEqual(AWS_DESCRIPTION_MAX);
    expect(d).toMatch(ALLOWED);
    expect(d.startsWith('Ana s laptop script umlaut yyy')).toBe(true);
    expect(awsDescription('a|b<c>d')).toBe('a b c d');
  });

  it('warns past the default quota of rules per group', () => {
    const many = Array.from({ length: 61 }, (_, i) => `10.0.3.${i}/32`);
    const { warnings } = awsSecurityGroupRules([rule({ src: { name: 'many', cidrs: many } })], { targets, groupIds: { 'customer-db': 'sg-1' } });
    expect(warnings.map((w) => w.message)).toEqual(['customer-db: 61 inbound IPv4 rules, over the default quota of 60 per security group (aggregate CIDRs or raise the quota)']);
  });
});
