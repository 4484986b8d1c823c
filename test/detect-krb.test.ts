// Kerberos logons from real programs against a real KDC (fixtures/make-detect-fixtures-krb.sh →
// fixtures/detect-krb.pcap), through the real CLI: MIT krb5kdc for a throw-away realm, kinit,
// ldapwhoami / ldapsearch -Y GSSAPI and -Y GSS-SPNEGO → slapd, smbclient --use-kerberos=required → smbd.
// Connections to the second ports (LDAP 3890, SMB 4450) take a 576-byte-MTU path: their first
// Kerberos-carrying message spans two segments, as one with an Active Directory ticket does anywhere.
// Expectations are what the capture was made to contain (fixtures/README.md "detect-krb.pcap"); the
// protocol facts each expectation rests on are cross-checked with tshark's dissectors on the same file.
import { join } from 'node:path';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ROOT, cliFlows, tsharkFields } from './helpers/capture-cli.js';
import type { FlowRecord } from '../common/flow-record.js';
import { FlowRecordSchema } from '../common/flow-record-schema.js';
import { createDecodedPacket } from '../agent/decode/packet.js';
import { createDetector } from '../agent/detect/detector.js';
import { createRng } from './helpers/fuzz-rng.js';

const FILE = join(ROOT, 'fixtures', 'detect-krb.pcap');
const LDAP_PORTS = [389, 3890];
const SMB_PORTS = [445, 4450];
/** tshark dissects LDAP and SMB on their own ports only. */
const DECODE = ['-d', 'tcp.port==3890,ldap', '-d', 'tcp.port==4450,nbss'];

const flows = cliFlows(FILE);
/** tshark fields of the frames matching `filter`, one array per frame (fails loudly without tshark). */
const tshark = tsharkFields(FILE, DECODE);

/** The tcp.stream of each connection to one of `ports`, in the order the connections were opened. */
function tcpStreams(ports: number[]): string[] {
  return tshark(`tcp.dstport in {${ports.join(', ')}} && tcp.flags.syn == 1 && tcp.flags.ack == 0`, ['tcp.stream']).map(([s]) => s!);
}

/** The first row per stream (column 0 is the stream). */
function firstByStream(rows: string[][]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [st, ...rest] of rows) if (!m.has(st!)) m.set(st!, rest);
  return m;
}

const KEYS = ['proto', 'dport', 'app', 'app_guess', 'auth', 'encryption', 'app_version', 'auth_mech', 'tls_version'] as const;
const pick = (r: FlowRecord) => Object.fromEntries(KEYS.map((k) => [k, r[k]]));
const u = undefined;

describe('detect-krb.pcap: LDAP SASL GSSAPI / GSS-SPNEGO (ldapwhoami, ldapsearch → slapd, tickets from krb5kdc)', () => {
  const ldap = () => flows().recs.filter((r) => LDAP_PORTS.includes(r.dport));
  const base = { proto: 'tcp', dport: 389, app: 'ldap', app_guess: u, app_version: 'LDAPv3', tls_version: u } as const;

  it('labels Kerberos binds and the security layer that follows them', () => {
    expect(ldap().map(pick)).toEqual([
      { ...base, auth: 'gss', auth_mech: 'GSSAPI', encryption: 'app' }, // libldap's default: a confidentiality layer
      { ...base, auth: 'gss', auth_mech: 'GSSAPI', encryption: 'none' }, // -O maxssf=1: integrity only (signed, not sealed)
      { ...base, auth: 'gss', auth_mech: 'GSSAPI', encryption: 'none' }, // -O maxssf=0: plain LDAP after the bind
      { ...base, auth: 'negotiate', auth_mech: 'GSS-SPNEGO', encryption: 'app' }, // SPNEGO (Kerberos inside), sealed
      { ...base, dport: 3890, auth: 'gss', auth_mech: 'GSSAPI', encryption: 'app' }, // the first BindRequest in two segments
    ]);
  });

  it('agrees with tshark on the bind, its success, and whether what follows is sealed', () => {
    const streams = tcpStreams(LDAP_PORTS);
    expect(streams.length).toBe(ldap().length);
    const bind = firstByStream(tshark('ldap.protocolOp == 0', ['tcp.stream', 'ldap.version', 'ldap.mechanism']));
    const ok = new Set(tshark('ldap.protocolOp == 1 && ldap.resultCode == 0', ['tcp.stream']).map(([s]) => s!));
    // The client's first SASL buffer after the bind: its bytes (4-octet length, then the Kerberos wrap
    // token: TOK_ID 05 04, Flags, Filler ff) and, where tshark decodes the token, its Sealed flag.
    const wrapped = firstByStream(tshark('tcp.dstport in {389, 3890} && ldap.sasl_buffer_length', ['tcp.stream', 'tcp.payload', 'spnego.krb5.sealed']));
    const plainOps = new Set(tshark('tcp.dstport in {389, 3890} && ldap.protocolOp == 3', ['tcp.stream']).map(([s]) => s!)); // a searchRequest in clear
    const theirs = streams.map((st) => {
      const [version, mech] = bind.get(st) ?? [];
      expect(ok.has(st), `stream ${st}: the bind succeeded`).toBe(true);
      let encryption = 'none';
      const w = wrapped.get(st);
      if (w !== undefined) {
        const [hex, sealed] = w;
        expect(hex!.slice(8, 12) + hex!.slice(14, 16), `stream ${st}: a Kerberos wrap token`).toBe('0504ff');
        const flagSealed = (parseInt(hex!.slice(12, 14), 16) & 2) !== 0;
        if (sealed !== '') expect(sealed === '1').toBe(flagSealed);
        encryption = flagSealed ? 'app' : 'none';
      } else {
        expect(plainOps.has(st), `stream ${st}: plain LDAP after the bind`).toBe(true);
      }
      return { app_version: `LDAPv${version}`, auth_mech: mech, auth: mech === 'GSSAPI' ? 'gss' : mech === 'GSS-SPNEGO' ? 'negotiate' : '?', encryption };
    });
    expect(ldap().map((r) => ({ app_version: r.app_version, auth_mech: r.auth_mech, auth: r.auth, encryption: r.encryption }))).toEqual(theirs);
    // all three kinds of layer are really in the file
    expect(theirs.map((t) => t.encryption)).toEqual(['app', 'none', 'none', 'app', 'app']);
    expect(wrapped.size).toBe(4);
  });

  it('the BindRequest on the small-MTU path really is in two segments', () => {
    const [stream] = tcpStreams([3890]);
    expect(tshark(`tcp.stream == ${stream} && ldap.protocolOp == 0`, ['tcp.segment.count'])[0]).toEqual(['2']);
  });
});

describe('detect-krb.pcap: SMB with Kerberos (smbclient --use-kerberos=required → smbd with a dedicated keytab)', () => {
  const smb = () => flows().recs.filter((r) => SMB_PORTS.includes(r.dport));
  const base = { proto: 'tcp', dport: 445, app: 'smb', app_guess: u, app_version: 'SMB 3.1.1', auth: 'gss', auth_mech: 'Kerberos', tls_version: u } as const;

  it('labels the Kerberos AP-REQ in SESSION_SETUP, the dialect and SMB3 encryption', () => {
    expect(smb().map(pick)).toEqual([
      { ...base, encryption: 'none' },
      // --client-protection=encrypt: TRANSFORM messages right after SESSION_SETUP; the small-MTU path
      { ...base, dport: 4450, encryption: 'app' },
    ]);
  });

  it('agrees with tshark on dialects, the AP-REQ, a successful non-guest session and encryption', () => {
    const streams = tcpStreams(SMB_PORTS);
    expect(streams.length).toBe(smb().length);
    expect(tshark('ntlmssp', ['frame.number'])).toEqual([]); // Kerberos only: no NTLMSSP fallback anywhere
    const dialect = firstByStream(tshark('smb2.cmd == 0 && smb2.flags.response == 1', ['tcp.stream', 'smb2.dialect']));
    const apReq = firstByStream(tshark('smb2.cmd == 1 && smb2.flags.response == 0 && kerberos.msg_type == 14', ['tcp.stream']));
    const session = firstByStream(tshark('smb2.cmd == 1 && smb2.flags.response == 1 && smb2.nt_status == 0', ['tcp.stream', 'smb2.session_flags']));
    const enc = firstByStream(tshark('smb2.header.transform.msg_size', ['tcp.stream']));
    const theirs = streams.map((st) => {
      expect(session.has(st), `stream ${st}: a successful SESSION_SETUP`).toBe(true);
      expect(Number(session.get(st)![0]) & 3, `stream ${st}: neither a guest nor a null session`).toBe(0);
      return {
        app_version: dialect.get(st)?.[0] === '0x0311' ? 'SMB 3.1.1' : dialect.get(st)?.[0],
        auth: apReq.has(st) ? 'gss' : undefined,
        auth_mech: apReq.has(st) ? 'Kerberos' : undefined,
        encryption: enc.has(st) ? 'app' : 'none',
      };
    });
    expect(smb().map((r) => ({ app_version: r.app_version, auth: r.auth, auth_mech: r.auth_mech, encryption: r.encryption }))).toEqual(theirs);
    // the second SESSION_SETUP request (the AP-REQ) spans two segments
    expect(tshark('smb2.cmd == 1 && smb2.flags.response == 0', ['tcp.stream', 'tcp.segment.count'])).toEqual([[streams[0], ''], [streams[1], '2']]);
  });
});

describe('detect-krb.pcap: the KDC exchanges (kinit, TGS-REQs for ldap/ and cifs/)', () => {
  const kdc = () => flows().recs.filter((r) => r.dport === 88);

  it('one flow per tshark Kerberos conversation, none labelled from content', () => {
    const udp = new Set(tshark('kerberos && udp.port == 88', ['udp.stream']).map(([s]) => s!));
    const tcp = new Set(tshark('kerberos && tcp.port == 88', ['tcp.stream']).map(([s]) => s!));
    expect(udp.size).toBe(3); // AS-REQ → PREAUTH_REQUIRED, AS-REQ → AS-REP, TGS-REQ for ldap/
    expect(tcp.size).toBe(1); // TGS-REQ for cifs/ (kdc = tcp/…)
    expect(kdc().filter((r) => r.proto === 'udp').length).toBe(udp.size);
    expect(kdc().filter((r) => r.proto === 'tcp').length).toBe(tcp.size);
    // No Kerberos detector: port 88 (TCP and UDP) is a port guess, marked as one.
    for (const r of kdc()) {
      expect([r.app, r.app_guess]).toEqual(['kerberos', 'port']);
      expect(r.auth_mech).toBeUndefined();
    }
  });
});

describe('detect-krb.pcap: nothing secret in the output', () => {
  it('never prints a principal, the realm, a host or user name, or ticket bytes', () => {
    const { text } = flows();
    // They are on the wire (tshark reads them), and not in our records.
    expect(tshark('kerberos.CNameString == "nobody"', ['frame.number']).length).toBeGreaterThan(0);
    expect(tshark('kerberos.realm == "SURFACEMAP.TEST"', ['frame.number']).length).toBeGreaterThan(0);
    expect(text).not.toMatch(/surfacemap\.test|nobody|krbtgt|cifs\/|ldap\/|files\.|krb-pass|report\.txt|\bpub\b/i);
    // Every ciphertext (tickets, authenticators, KDC replies) and every SASL / SPNEGO token: neither
    // 12 of its bytes as hex nor as base64 appears.
    const blobs = [
      ...tshark('kerberos.cipher', ['kerberos.cipher']).flatMap(([v]) => v!.split(',')),
      ...tshark('ldap.credentials || ldap.serverSaslCreds', ['ldap.credentials', 'ldap.serverSaslCreds']).flat().flatMap((v) => v.split(',')),
    ].filter((h) => h.length >= 48);
    expect(blobs.length).toBeGreaterThan(10);
    const lower = text.toLowerCase();
    for (const hex of blobs) {
      const chunk = hex.slice(24, 48).toLowerCase(); // past any fixed ASN.1 / token header
      expect(lower.includes(chunk), chunk).toBe(false);
      expect(text.includes(Buffer.from(chunk, 'hex').toString('base64')), chunk).toBe(false);
    }
  });

  it('every record is a valid FlowRecord', () => {
    if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v));
    const { recs } = flows();
    expect(recs.length).toBe(11);
    for (const r of recs) expect([...Value.Errors(FlowRecordSchema, r)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
  });
});

describe('an LDAPMessage longer than its first segment', () => {
  // The matcher now accepts a first segment that holds only the start of a long BindRequest (the
  // Kerberos ticket continues in the next one). Random payloads that start like such a message (an
  // LDAPMessage of up to 64 KiB, a messageID), with the rest random: none may be labelled ldap unless
  // its bytes really are a BindRequest's start. Seeded, so a failure replays.
  it('labels none of 4000 random payloads that claim more bytes than they hold', () => {
    const rng = createRng(0x6b7262);
    const det = createDetector({ maxFlows: 1 });
    const hits: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const b = rng.bytes(rng.range(16, 600));
      const claimed = b.length + rng.range(1, 65000 - b.length);
      b.set([0x30, 0x82, claimed >> 8, claimed & 0xff, 0x02, 0x01, 1 + (i % 127)]);
      if (i % 2 === 0) b[7] = 0x60; // a BindRequest tag too: what follows is still random
      const p = createDecodedPacket();
      p.proto = 6; p.payloadLen = b.length; p.buf = b; p.payloadCap = b.length;
      det.open(0, 6, 40000, 50000);
      det.payload(0, true, b, 0, b.length, p);
      const rec = {} as FlowRecord;
      det.label(0, rec);
      if (rec.app === 'ldap') hits.push(`case ${i}: ${Buffer.from(b.subarray(0, 24)).toString('hex')}`);
    }
    expect(hits).toEqual([]);
    // The same harness does label a genuine start: a SASL GSSAPI BindRequest of 4 KiB cut after 300 bytes.
    const bind = rng.bytes(300);
    bind.set([0x30, 0x82, 0x0f, 0xff, 0x02, 0x01, 0x01, 0x60, 0x82, 0x0f, 0xf8, 0x02, 0x01, 0x03, 0x04, 0x00,
      0xa3, 0x82, 0x0f, 0xef, 0x04, 0x06, ...Buffer.from('GSSAPI'), 0x04, 0x82, 0x0f, 0xe3]);
    const p = createDecodedPacket();
    p.proto = 6; p.payloadLen = bind.length; p.buf = bind; p.payloadCap = bind.length;
    det.open(0, 6, 40000, 50000);
    det.payload(0, true, bind, 0, bind.length, p);
    const rec = {} as FlowRecord;
    det.label(0, rec);
    expect([rec.app, rec.auth, rec.auth_mech]).toEqual(['ldap', 'gss', 'GSSAPI']);
  });
});
