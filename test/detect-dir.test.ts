// Directory, file-sharing, remote-desktop and document-database detection on traffic from real
// programs (fixtures/make-detect-fixtures-dir.sh → fixtures/detect-dir.pcap), through the real CLI.
// Expectations are what the capture was made to contain (fixtures/README.md "detect-dir.pcap"); the
// protocol facts each expectation rests on are cross-checked with tshark's dissectors on the same file.
import { join } from 'node:path';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ROOT, cliFlows, runTool, tsharkFields } from './helpers/capture-cli.js';
import type { FlowRecord } from '../common/flow-record.js';
import { FlowRecordSchema } from '../common/flow-record-schema.js';
import { createDecodedPacket } from '../agent/decode/packet.js';
import { createDetector } from '../agent/detect/detector.js';
import { createRng } from './helpers/fuzz-rng.js';

const FILE = join(ROOT, 'fixtures', 'detect-dir.pcap');

const run = runTool;
const flows = cliFlows(FILE);
/** tshark fields of the frames matching `filter`, one array per frame (fails loudly without tshark). */
const tshark = tsharkFields(FILE);

const KEYS = ['dport', 'app', 'app_guess', 'auth', 'encryption', 'app_version', 'auth_mech', 'tls_version'] as const;
const pick = (r: FlowRecord) => Object.fromEntries(KEYS.map((k) => [k, r[k]]));
const u = undefined;

describe('detect-dir.pcap: LDAP (ldapsearch / ldapwhoami → slapd)', () => {
  const ldap = () => flows().recs.filter((r) => r.dport === 389);
  const plain = { dport: 389, app: 'ldap', app_guess: u, encryption: 'none', tls_version: u } as const;

  it('labels bind kinds, versions and StartTLS from content', () => {
    expect(ldap().map(pick)).toEqual([
      { ...plain, auth: 'none', app_version: 'LDAPv3', auth_mech: 'simple' }, // anonymous bind + search
      { ...plain, auth: 'password', app_version: 'LDAPv3', auth_mech: 'simple' }, // simple bind, DN + password
      // StartTLS first, the bind is inside TLS 1.3: not visible, not guessed
      { dport: 389, app: 'ldap', app_guess: u, auth: 'unknown', encryption: 'tls', app_version: u, auth_mech: u, tls_version: 'TLS 1.3' },
      { ...plain, auth: 'scram', app_version: 'LDAPv3', auth_mech: 'SCRAM-SHA-256' },
      { ...plain, auth: 'sasl', app_version: 'LDAPv3', auth_mech: 'DIGEST-MD5' },
      { ...plain, auth: 'none', app_version: 'LDAPv2', auth_mech: 'simple' }, // ldapsearch -P 2 over IPv6
    ]);
  });

  it('agrees with tshark on the first bind of each connection', () => {
    const first = new Map<string, string[]>();
    for (const [stream, version, mech, authType] of tshark('ldap.protocolOp == 0', ['tcp.stream', 'ldap.version', 'ldap.mechanism', 'ldap.authentication'])) {
      if (!first.has(stream!)) first.set(stream!, [version!, mech!, authType!]);
    }
    const theirs = [...first.values()].map(([v, mech]) => [`LDAPv${v}`, mech === '' ? 'simple' : mech]);
    const ours = ldap().filter((r) => r.app_version !== undefined).map((r) => [r.app_version, r.auth_mech]);
    expect(ours).toEqual(theirs);
    expect(tshark('ldap.requestName == "1.3.6.1.4.1.1466.20037"', ['tcp.stream']).length).toBe(1);
  });

  it('never prints a DN, a password or a SASL user', () => {
    expect(flows().text).not.toMatch(/dc=|cn=admin|ldap-admin-pass|fixuser|scram-pass|digest-pass/i);
  });
});

describe('detect-dir.pcap: SMB (smbclient → smbd)', () => {
  const smb = () => flows().recs.filter((r) => r.dport === 445);
  const base = { dport: 445, app: 'smb', app_guess: u, auth_mech: 'NTLMSSP', tls_version: u } as const;

  it('labels dialects, NTLMSSP (user, anonymous, guest), SMB3 encryption and SMB1', () => {
    expect(smb().map(pick)).toEqual([
      { ...base, auth: 'none', encryption: 'none', app_version: 'SMB 3.1.1' }, // -U% -L: anonymous NTLMSSP
      { ...base, auth: 'ntlm', encryption: 'none', app_version: 'SMB 3.1.1' }, // a user and password
      { ...base, auth: 'ntlm', encryption: 'app', app_version: 'SMB 3.1.1' }, // --client-protection=encrypt
      { ...base, auth: 'ntlm', encryption: 'none', app_version: 'SMB1' }, // -m NT1: SMB1 is a finding
      { ...base, auth: 'none', encryption: 'none', app_version: 'SMB 3.1.1' }, // unknown user → guest session
    ]);
  });

  it('agrees with tshark on dialects, NTLMSSP users, guest sessions and encryption', () => {
    const byStream = (rows: string[][]) => new Map(rows.map(([st, ...rest]) => [st!, rest]));
    const streams = [...new Set(tshark('tcp.dstport == 445 && tcp.flags.syn == 1 && tcp.flags.ack == 0', ['tcp.stream']).map(([s]) => s!))];
    expect(streams.length).toBe(smb().length);
    const dialect = byStream(tshark('smb2.cmd == 0 && smb2.flags.response == 1', ['tcp.stream', 'smb2.dialect']));
    const smb1 = byStream(tshark('smb.cmd == 0x72 && smb.flags.response == 1', ['tcp.stream']));
    const user = byStream(tshark('ntlmssp.messagetype == 3', ['tcp.stream', 'ntlmssp.auth.username']));
    const guest = byStream(tshark('smb2.cmd == 1 && smb2.flags.response == 1 && smb2.nt_status == 0', ['tcp.stream', 'smb2.session_flags']));
    const enc = byStream(tshark('smb2.header.transform.msg_size', ['tcp.stream']));
    const theirs = streams.map((st) => ({
      app_version: smb1.has(st) ? 'SMB1' : dialect.get(st)?.[0] === '0x0311' ? 'SMB 3.1.1' : dialect.get(st)?.[0],
      auth: user.get(st)?.[0] === 'NULL' || (Number(guest.get(st)?.[0] ?? 0) & 1) === 1 ? 'none' : 'ntlm',
      encryption: enc.has(st) ? 'app' : 'none',
    }));
    expect(smb().map((r) => ({ app_version: r.app_version, auth: r.auth, encryption: r.encryption }))).toEqual(theirs);
  });

  it('never prints a user, domain, host or share name', () => {
    expect(flows().text).not.toMatch(/nobody|visitor|smb-pass|secure|pub\b|WORKGROUP|SMX/i);
  });
});

describe('detect-dir.pcap: RDP (xfreerdp → freerdp-shadow-cli forced to NLA / TLS / RDP security)', () => {
  const rdp = () => flows().recs.filter((r) => r.dport >= 3389 && r.dport <= 3391);
  const base = { app: 'rdp', app_guess: u, app_version: u, tls_version: u } as const;

  it('labels the security protocol the server selected, not a port guess', () => {
    expect(rdp().map(pick)).toEqual([
      { ...base, dport: 3389, auth: 'nla', encryption: 'tls', auth_mech: 'CredSSP' },
      { ...base, dport: 3390, auth: 'tls-server-only', encryption: 'tls', auth_mech: 'TLS' }, // no NLA
      { ...base, dport: 3391, auth: 'password', encryption: 'app', auth_mech: 'RDP' }, // standard RDP security
    ]);
  });

  it('agrees with tshark on the selected protocol', () => {
    const rows = run('tshark', ['-n', '-d', 'tcp.port==3390-3391,tpkt', '-r', FILE, '-Y', 'rdp.negReq.selectedProtocol', '-T', 'fields',
      '-e', 'tcp.srcport', '-e', 'rdp.negReq.selectedProtocol']).split('\n').filter((l) => l !== '');
    const name: Record<string, string> = { '0x00000000': 'RDP', '0x00000001': 'TLS', '0x00000002': 'CredSSP' };
    expect(rdp().map((r) => `${r.dport}\t${r.auth_mech}`)).toEqual(rows.map((l) => { const [p, v] = l.split('\t'); return `${p}\t${name[v!]}`; }));
  });

  it('never prints the cookie (it holds the user name) or the password', () => {
    expect(tshark('tcp.dstport == 3389 && tcp.payload contains "mstshash=ops"', ['frame.number']).length).toBe(1); // it is on the wire
    expect(flows().text).not.toMatch(/mstshash|ops"|rdp-pass/);
  });
});

describe('detect-dir.pcap: MongoDB (the real pymongo 3.11 client → fixtures/tools/mongo-mini-server.py)', () => {
  // Only the client's bytes are evidence from a real program here: the server is a stand-in (Debian
  // ships no MongoDB server) that answers hello and refuses every authentication.
  const mongo = () => flows().recs.filter((r) => r.dport === 27017);

  it('labels the mechanism from speculativeAuthenticate / saslStart / authenticate, and a ping without auth', () => {
    const base = { dport: 27017, app: 'mongodb', app_guess: u, encryption: 'none', app_version: u, tls_version: u } as const;
    // pymongo opens a monitoring connection per client: hello only, no auth on the wire → unknown.
    const monitors = mongo().filter((r) => r.auth === 'unknown');
    expect(monitors.map(pick)).toEqual(Array(5).fill({ ...base, auth: 'unknown', auth_mech: u }));
    expect(mongo().filter((r) => r.auth !== 'unknown').map(pick)).toEqual([
      { ...base, auth: 'none', auth_mech: u }, // ping without credentials
      { ...base, auth: 'scram', auth_mech: 'SCRAM-SHA-256' }, // speculative, in the isMaster
      { ...base, auth: 'scram', auth_mech: 'SCRAM-SHA-1' },
      { ...base, auth: 'password', auth_mech: 'PLAIN' }, // saslStart after the handshake
      { ...base, auth: 'mtls', auth_mech: 'MONGODB-X509' }, // authenticate: the client certificate is the credential
    ]);
  });

  it('agrees with tshark on the mechanism of each connection', () => {
    const known = /^(SCRAM-SHA-256|SCRAM-SHA-1|PLAIN|MONGODB-X509|GSSAPI)$/;
    const first = new Map<string, string>();
    for (const [stream, values] of run('tshark', ['-n', '-d', 'tcp.port==27017,mongo', '-r', FILE, '-Y', 'mongo.element.name == "mechanism"',
      '-T', 'fields', '-e', 'tcp.stream', '-e', 'mongo.element.value.string']).split('\n').filter((l) => l !== '').map((l) => l.split('\t'))) {
      const mech = values!.split(',').find((v) => known.test(v));
      if (mech !== undefined && !first.has(stream!)) first.set(stream!, mech);
    }
    expect(mongo().filter((r) => r.auth_mech !== undefined).map((r) => r.auth_mech)).toEqual([...first.values()]);
  });

  it('never prints the user, the password or the SASL payload', () => {
    expect(flows().text).not.toMatch(/reporter|mongo-pass|PyMongo|detect-fixture/);
  });
});

describe('the ldap / smb / rdp / mongodb first-packet matchers are strict', () => {
  // Random client payloads whose first bytes are already what each matcher keys on (BER SEQUENCE,
  // NBSS + SMB magic, TPKT + X.224 CR, a MongoDB header with the right length and opcode): the rest
  // is random, and none of them may be labelled as these protocols. Seeded, so a failure replays.
  const PREFIXES: ((b: Uint8Array) => void)[] = [
    (b) => { b[0] = 0x30; b[1] = b.length - 2; b[2] = 0x02; b[3] = 1; }, // LDAPMessage, messageID
    (b) => { b[0] = 0; b[1] = 0; b[2] = (b.length - 4) >> 8; b[3] = (b.length - 4) & 0xff; b.set([0xfe, 0x53, 0x4d, 0x42], 4); }, // NBSS + SMB2
    (b) => { b[0] = 0; b[1] = 0; b[2] = (b.length - 4) >> 8; b[3] = (b.length - 4) & 0xff; b.set([0xff, 0x53, 0x4d, 0x42], 4); }, // NBSS + SMB1
    (b) => { b[0] = 3; b[1] = 0; b[2] = b.length >> 8; b[3] = b.length & 0xff; b[4] = b.length - 5; b[5] = 0xe0; }, // TPKT + X.224 CR
    (b) => { new DataView(b.buffer).setUint32(0, b.length, true); b.set([0xd4, 0x07, 0, 0], 12); new DataView(b.buffer).setUint32(8, 0, true); }, // OP_QUERY
    (b) => { new DataView(b.buffer).setUint32(0, b.length, true); b.set([0xdd, 0x07, 0, 0], 12); new DataView(b.buffer).setUint32(8, 0, true); }, // OP_MSG
  ];
  it('labels none of 6000 random payloads with those prefixes', () => {
    const rng = createRng(0xd1e5);
    const det = createDetector({ maxFlows: 1 });
    const mine = new Set(['ldap', 'smb', 'rdp', 'mongodb']);
    const hits: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const kind = i % PREFIXES.length;
      const b = rng.bytes(rng.range(24, 300));
      PREFIXES[kind]!(b);
      const p = createDecodedPacket();
      p.proto = 6; p.payloadLen = b.length; p.buf = b; p.payloadCap = b.length;
      det.open(0, 6, 40000, 50000);
      det.payload(0, true, b, 0, b.length, p);
      const rec = {} as FlowRecord;
      det.label(0, rec);
      if (mine.has(rec.app!)) hits.push(`case ${i} (prefix ${kind}): ${rec.app}`);
    }
    expect(hits).toEqual([]);
  });
});

describe('detect-dir.pcap records', () => {
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v));
  it('every record is a valid FlowRecord, labelled from content', () => {
    const { recs } = flows();
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) {
      expect([...Value.Errors(FlowRecordSchema, r)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
      expect(r.app_guess, `${r.dport}`).toBeUndefined();
    }
  });
});
