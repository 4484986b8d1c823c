// The FlowInspector behind `surfacemap flows`: dispatches each flow's first payload packets to the
// protocol parsers (one file per protocol family) and adds the labels to the flow's records.
// NOTE: bounds. At most MAX_PACKETS_PER_DIRECTION payload packets per direction and MAX_CALLS_PER_FLOW
// in all are looked at, an unrecognised flow only MAX_PROBES_PER_DIRECTION per direction (then
// payload() returns false and the flow table stops calling); at most MAX_BYTES_PER_PACKET bytes of
// each (TLS follows records by their length fields instead and reads only headers and hellos, at most
// MAX_TLS_STEPS per segment). Nothing is allocated for a packet unless a label is found. Most flows are
// done after one packet each way (DNS, TLS 1.3, Redis, StatsD) or two (HTTP, PostgreSQL, MySQL).
import { u32le } from '../../common/bytes.js';
import type { AuthMethod, Encryption, FlowRecord } from '../../common/flow-record.js';
import { AUTH_METHODS, ENCRYPTIONS } from '../../common/flow-record.js';
import type { DecodedPacket } from '../decode/packet.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../decode/packet.js';
import type { FlowInspector } from '../flows/flow-table.js';
import { amqpClientPacket, amqpStart, looksLikeAmqp091Header } from './amqp.js';
import { kafkaClientPacket, kafkaLaterApi, kafkaRequestApi, kafkaStart } from './kafka.js';
import { mqttConnect } from './mqtt.js';
import { ntpStart, ntpVersion } from './ntp.js';
import { syslogFormat, syslogStart } from './syslog.js';
import { dnsMessageStart, dnsPacket, dnsQuestionEnd, dnsStart, type OnName } from './dns.js';
import { h2Start, httpRequestPacket, httpResponsePacket, httpStart, looksLikeH2Preface, looksLikeHttpRequest, looksLikeHttpResponse } from './http.js';
import { ldapClientPacket, ldapRequestOp, ldapServerPacket, ldapStart } from './ldap.js';
import { mongoClientPacket, mongoHello, mongoStart } from './mongodb.js';
import { looksLikeMysqlGreeting, mysqlClientPacket, mysqlServerPacket, mysqlStart } from './mysql.js';
import { portGuess } from './ports.js';
import { postgresClientPacket, postgresFirstMessage, postgresServerPacket, postgresStart } from './postgres.js';
import { looksLikeRdpConnectionRequest, rdpServerPacket, rdpStart } from './rdp.js';
import { redisStart, respArrayLength } from './redis.js';
import { smbClientPacket, smbNegotiateVersion, smbServerPacket, smbStart } from './smb.js';
import { snmpStart, snmpV3Packet, snmpVersion } from './snmp.js';
import { looksLikeSsh, sshPacket, sshStart } from './ssh.js';
import { App, APP_NAMES, Auth, Enc, Mode, copyDetails, createDetectState, finish, type DetectState } from './state.js';
import { looksLikeStatsd, statsdStart } from './statsd.js';
import { looksLikeTlsHello, tlsSegment, tlsStart } from './tls.js';

export const MAX_PACKETS_PER_DIRECTION = 6;
export const MAX_BYTES_PER_PACKET = 4096;
/** payload() calls per flow, whatever their direction (one-way flows, retransmissions). */
export const MAX_CALLS_PER_FLOW = 2 * MAX_PACKETS_PER_DIRECTION;
/**
 * Unrecognised flows are offered to the content matchers for this many payload packets per direction;
 * past the opening packets a protocol's first bytes are not coming (the capture began mid-stream, or it
 * is something we do not know), and the flow falls back to the port guess.
 */
export const MAX_PROBES_PER_DIRECTION = 2;

/** Auth and encryption codes (0 = nothing learnt) → label. */
const AUTH_NAMES: readonly AuthMethod[] = ['unknown', ...AUTH_METHODS];
const ENCRYPTION_NAMES: readonly Encryption[] = ['unknown', ...ENCRYPTIONS];

const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const PORT_MDNS = 5353;
const PORT_NTP = 123;

export interface DetectorOptions {
  /** Flow ids the table hands out are below this: at least the table's `maxFlows`. */
  maxFlows: number;
  /** Called for every A/AAAA answer: the address, the name asked for, the capture time. */
  onName?: OnName | null;
}

export interface DetectorStats {
  /** payload() calls. */
  packets: number;
  /** Flows given an app from content. */
  detected: number;
}

export interface Detector extends FlowInspector {
  readonly stats: DetectorStats;
  /** The names callback (DNS answers); may be replaced, e.g. once a store is ready. */
  onName: OnName | null;
}

export function createDetector(opts: DetectorOptions): Detector {
  const n = opts.maxFlows;
  if (!Number.isInteger(n) || n < 1) throw new Error(`maxFlows must be a whole number ≥ 1 (got ${n})`);
  const s: DetectState = createDetectState(n);
  const proto = new Uint8Array(n);
  const ports = new Uint16Array(n * 2);
  const pkts = new Uint8Array(n * 2);
  const calls = new Uint8Array(n);
  const seqNext = new Uint32Array(n * 2);
  const seqSet = new Uint8Array(n * 2);
  const stats: DetectorStats = { packets: 0, detected: 0 };

  const det: Detector = {
    stats,
    onName: opts.onName ?? null,

    open(f: number, pr: number, origPort: number, respPort: number): void {
      // Only what label() and the first payload() read; the rest is reset by payload() on the flow's
      // first call (flows that never carry payload, refused or unanswered, never need it).
      proto[f] = pr;
      ports[f * 2] = origPort;
      ports[f * 2 + 1] = respPort;
      calls[f] = 0;
      if (pr === IPPROTO_ICMP || pr === IPPROTO_ICMPV6) {
        s.mode[f] = Mode.done;
        s.app[f] = App.icmp;
        s.auth[f] = Auth.none;
        s.enc[f] = Enc.none;
        s.details[f] = undefined;
      } else {
        s.mode[f] = Mode.probe;
        s.app[f] = 0;
      }
    },

    payload(f: number, fromOrig: boolean, buf: Uint8Array, off: number, len: number, p: DecodedPacket): boolean {
      stats.packets++;
      if (s.mode[f] === Mode.done) return false;
      const n = calls[f]!;
      if (n === 0) reset(f);
      const last = (calls[f] = n + 1) >= MAX_CALLS_PER_FLOW; // this packet is the last one looked at
      const d = f * 2 + (fromOrig ? 0 : 1);
      if (pkts[d]! >= MAX_PACKETS_PER_DIRECTION) return stop(f, last);
      pkts[d]++;
      const tcp = proto[f] === IPPROTO_TCP;
      let inOrder = true;
      if (tcp) {
        // Follow the byte stream: skip retransmissions; a gap (loss, reordering) ends stream parsing.
        const seq = p.tcpSeq >>> 0;
        if (seqSet[d] === 1) {
          const diff = (seq - seqNext[d]!) | 0;
          if (diff < 0 && ((seq + p.payloadLen - seqNext[d]!) | 0) <= 0) return stop(f, last); // retransmission
          if (diff !== 0) inOrder = false;
        }
        seqNext[d] = (seq + p.payloadLen) >>> 0;
        seqSet[d] = 1;
      }
      const mode = s.mode[f]!;
      if (mode === Mode.tls) {
        if (!inOrder) s.dirDone[d] = 1;
        else tlsSegment(s, f, d, fromOrig, buf, off, off + len);
        if (len < p.payloadLen) s.dirDone[d] = 1; // snap length cut the stream
      } else {
        const end = off + (len > MAX_BYTES_PER_PACKET ? MAX_BYTES_PER_PACKET : len);
        if (mode === Mode.probe) {
          if (s.dirDone[d] === 0) {
            if (probe(s, f, d, fromOrig, tcp, buf, off, end, len, p)) stats.detected++;
            else if (pkts[d]! >= MAX_PROBES_PER_DIRECTION) s.dirDone[d] = 1;
          }
          // Nothing recognised in the opening packets: the port guess will have to do.
          if (s.mode[f] === Mode.probe && calls[f]! >= 2 * MAX_PROBES_PER_DIRECTION) finish(s, f);
        } else if (s.dirDone[d] === 0) {
          step(s, f, d, fromOrig, tcp, buf, off, end, p);
        }
      }
      if (last || s.mode[f] === Mode.done) {
        finish(s, f);
        return false;
      }
      if (s.dirDone[f * 2] === 1 && s.dirDone[f * 2 + 1] === 1) {
        finish(s, f);
        return false;
      }
      return pkts[f * 2]! < MAX_PACKETS_PER_DIRECTION || pkts[f * 2 + 1]! < MAX_PACKETS_PER_DIRECTION;
    },

    // NOTE: every record gets every label key, in common/flow-json.ts LABEL_KEYS order, undefined when
    // there is nothing to say (JSON output leaves those out): one hidden class for all labelled records.
    // Kept small (tables instead of branches, the port guess apart): the flow table's emit() inlines it,
    // and a large label() used up the inlining budget its own helpers (ISO times, history) need.
    label(f: number, rec: FlowRecord): void {
      const a = s.app[f]!;
      if (a === 0) {
        labelFromPort(f, rec);
        return;
      }
      rec.app = APP_NAMES[a]!;
      rec.app_guess = undefined; // from content
      rec.auth = AUTH_NAMES[s.auth[f]!]!;
      rec.encryption = ENCRYPTION_NAMES[s.enc[f]!]!;
      copyDetails(s.details[f], rec);
    },
  };

  /** Nothing recognised from content: the well-known port, if any, as a guess. */
  function labelFromPort(f: number, rec: FlowRecord): void {
    const guess = portGuess(proto[f]!, ports[f * 2]!, ports[f * 2 + 1]!);
    rec.app = guess ?? 'unknown';
    rec.app_guess = guess !== undefined ? 'port' : undefined;
    rec.auth = 'unknown';
    rec.encryption = 'unknown';
    copyDetails(undefined, rec);
  }

  /** A flow's first payload: forget what the id's previous flow left (open() reset the rest). */
  function reset(f: number): void {
    s.auth[f] = 0;
    s.enc[f] = 0;
    s.flags[f] = 0;
    s.details[f] = undefined;
    const d = f * 2;
    s.dirDone[d] = 0;
    s.dirDone[d + 1] = 0;
    pkts[d] = 0;
    pkts[d + 1] = 0;
    seqSet[d] = 0;
    seqSet[d + 1] = 0;
    // a, b, c (TLS stream state) are set by tlsStart() before they are read.
  }

  /** Not looked at: go on unless this was the flow's last call. */
  function stop(f: number, last: boolean): boolean {
    if (last) finish(s, f);
    return !last;
  }

  // NOTE: first packets are offered to the content matchers by three small functions (TCP from the
  // client, TCP from the server, UDP) rather than one: V8 optimises each once it is hot, and a path that
  // shows up late (a server that speaks first) then recompiles only its own small function.
  // Within each, the first byte picks the matchers that could match: TLS needs 0x16, HTTP and SSH an
  // upper-case letter, PostgreSQL 0x00 (a length below 2^24), RESP '*'; the order among them is kept.

  /** First packets: offer them to the content matchers. Returns true once a protocol is recognised. */
  function probe(
    s: DetectState, f: number, d: number, fromOrig: boolean, tcp: boolean, buf: Uint8Array, off: number, end: number, len: number, p: DecodedPacket,
  ): boolean {
    if (tcp) {
      if (fromOrig ? probeTcpClient(s, f, d, buf, off, end, len) : probeTcpServer(s, f, d, buf, off, end, len)) return true;
      return probeTcpDns(s, f, d, buf, off, end, p);
    }
    return proto[f] === IPPROTO_UDP && probeUdp(s, f, d, fromOrig, buf, off, end, p);
  }

  function probeTcpClient(s: DetectState, f: number, d: number, buf: Uint8Array, off: number, end: number, len: number): boolean {
    const b0 = buf[off]!;
    // (no early return on a miss: MongoDB, below, may start with any byte)
    if (b0 === 0x10) {
      if (mqttConnect(s, f, buf, off, end)) return true; // MQTT CONNECT
    } else if (b0 === 0x3c || (b0 >= 0x31 && b0 <= 0x39)) { // syslog: "<PRI>" or an octet count
      const sf = syslogFormat(buf, off, end, true);
      if (sf !== 0) { syslogStart(s, f, sf); return true; }
    }
    if (b0 === 0x16) {
      if (looksLikeTlsHello(buf, off, off + len, HS_CLIENT_HELLO)) {
        tlsStart(s, f);
        tlsSegment(s, f, d, true, buf, off, off + len);
        return true;
      }
    } else if (b0 >= 0x41 && b0 <= 0x5a) {
      if (b0 === 0x41 && looksLikeAmqp091Header(buf, off, end)) { amqpStart(s, f); return true; }
      if (b0 === 0x50 && looksLikeH2Preface(buf, off, end)) { h2Start(s, f); return true; }
      if (looksLikeHttpRequest(buf, off, end)) {
        httpStart(s, f);
        httpRequestPacket(s, f, buf, off, end);
        return true;
      }
      if (b0 === 0x53 && looksLikeSsh(buf, off, end)) {
        sshStart(s, f);
        sshPacket(s, f, d, true, buf, off, end);
        return true;
      }
    } else if (b0 === 0) {
      const pg = postgresFirstMessage(buf, off, end);
      if (pg !== 0) { postgresStart(s, f, pg); return true; }
      const smb = smbNegotiateVersion(buf, off, end);
      if (smb !== 0) { smbStart(s, f, smb); return true; }
      const api = kafkaRequestApi(buf, off, end);
      if (api >= 0) { kafkaStart(s, f, api, buf, off, end); return true; }
    } else if (b0 === 0x2a) {
      const n = respArrayLength(buf, off, end);
      if (n > 0) { redisStart(s, f, n, buf, off, end); return true; }
    } else if (b0 === 0x03) { // TPKT: RDP
      if (looksLikeRdpConnectionRequest(buf, off, end)) { rdpStart(s, f); return true; }
    } else if (b0 === 0x30) { // a BER SEQUENCE: LDAP
      const op = ldapRequestOp(buf, off, end);
      if (op >= 0) { ldapStart(s, f, buf, op, end); return true; }
    }
    // MongoDB: the first byte is the low byte of a length; the opcode (2004 / 2013, little-endian) and
    // a length equal to the packet's come first.
    if (end - off >= 21 && buf[off + 13] === 0x07 && buf[off + 14] === 0 && buf[off + 15] === 0 && u32le(buf, off) === len) {
      const doc = mongoHello(buf, off, end);
      if (doc >= 0) { mongoStart(s, f, buf, doc); return true; }
    }
    return false;
  }

  function probeTcpServer(s: DetectState, f: number, d: number, buf: Uint8Array, off: number, end: number, len: number): boolean {
    const b0 = buf[off]!;
    if (b0 === 0x53 && looksLikeSsh(buf, off, end)) {
      sshStart(s, f);
      sshPacket(s, f, d, false, buf, off, end);
      return true;
    }
    if (looksLikeMysqlGreeting(buf, off, end)) { // its first byte is the low byte of a length
      mysqlStart(s, f);
      mysqlServerPacket(s, f, buf, off, end);
      return true;
    }
    if (b0 === 0x16 && looksLikeTlsHello(buf, off, off + len, HS_SERVER_HELLO)) {
      // The ClientHello was missed (capture started late): follow the server side only.
      tlsStart(s, f);
      s.dirDone[d ^ 1] = 1;
      tlsSegment(s, f, d, false, buf, off, off + len);
      return true;
    }
    if (b0 === 0x48 && looksLikeHttpResponse(buf, off, end)) {
      httpStart(s, f);
      s.auth[f] = Auth.unknown; // the request was not seen
      return true;
    }
    return false;
  }

  /** DNS over TCP (a 2-byte length, then a message), from either side. */
  function probeTcpDns(s: DetectState, f: number, d: number, buf: Uint8Array, off: number, end: number, p: DecodedPacket): boolean {
    const m = dnsMessageStart(true, buf, off, end);
    if (m >= 0 && (dnsQuestionEnd(buf, m, end, false) >= 0 || dnsQuestionEnd(buf, m, end, true) >= 0)) {
      dnsStart(s, f, false);
      dnsPacket(s, f, d, true, buf, off, end, p.tsUs, det.onName);
      return true;
    }
    return false;
  }

  function probeUdp(s: DetectState, f: number, d: number, fromOrig: boolean, buf: Uint8Array, off: number, end: number, p: DecodedPacket): boolean {
    if (dnsQuestionEnd(buf, off, end, !fromOrig) >= 0 || dnsQuestionEnd(buf, off, end, fromOrig) >= 0) {
      dnsStart(s, f, ports[f * 2] === PORT_MDNS || ports[f * 2 + 1] === PORT_MDNS);
      dnsPacket(s, f, d, false, buf, off, end, p.tsUs, det.onName);
      return true;
    }
    const v = buf[off] === 0x30 ? snmpVersion(buf, off, end) : -1; // a BER SEQUENCE
    if (v >= 0) {
      snmpStart(s, f, v);
      if (s.mode[f] === Mode.snmp) snmpV3Packet(s, f, buf, off, end);
      return true;
    }
    if (buf[off] === 0x3c) {
      const sf = syslogFormat(buf, off, end, false);
      if (sf !== 0) { syslogStart(s, f, sf); return true; }
    } else if (ports[f * 2] === PORT_NTP || ports[f * 2 + 1] === PORT_NTP) {
      // The NTP header has little structure (random 48-byte datagrams pass its checks 1 in ~440): port 123 too.
      const nv = ntpVersion(buf, off, end);
      if (nv !== 0) { ntpStart(s, f, nv, buf, off, end); return true; }
    }
    if (fromOrig && looksLikeStatsd(buf, off, end)) { statsdStart(s, f); return true; }
    return false;
  }

  /** Later packets of a recognised flow. */
  function step(s: DetectState, f: number, d: number, fromOrig: boolean, tcp: boolean, buf: Uint8Array, off: number, end: number, p: DecodedPacket): void {
    switch (s.mode[f]) {
      case Mode.http:
        if (fromOrig) httpRequestPacket(s, f, buf, off, end);
        else httpResponsePacket(s, f, buf, off, end);
        break;
      case Mode.ssh:
        sshPacket(s, f, d, fromOrig, buf, off, end);
        break;
      case Mode.dns:
        dnsPacket(s, f, d, tcp, buf, off, end, p.tsUs, det.onName);
        break;
      case Mode.postgres:
        if (fromOrig) postgresClientPacket(s, f, buf, off, end);
        else postgresServerPacket(s, f, buf, off, end);
        break;
      case Mode.mysql:
        if (fromOrig) mysqlClientPacket(s, f, buf, off, end);
        else mysqlServerPacket(s, f, buf, off, end);
        break;
      case Mode.snmp:
        snmpV3Packet(s, f, buf, off, end);
        break;
      case Mode.amqp:
        if (fromOrig) amqpClientPacket(s, f, buf, off, end);
        break;
      case Mode.kafka:
        if (fromOrig) kafkaClientPacket(s, f, kafkaLaterApi(buf, off, end), buf, off, end);
        break;
      case Mode.mongodb:
        if (fromOrig) mongoClientPacket(s, f, buf, off, end);
        break;
      case Mode.rdp:
        if (!fromOrig) rdpServerPacket(s, f, buf, off, end);
        break;
      case Mode.smb:
        if (fromOrig) smbClientPacket(s, f, buf, off, end);
        else smbServerPacket(s, f, buf, off, end);
        break;
      case Mode.ldap:
        if (fromOrig) ldapClientPacket(s, f, buf, off, end);
        else ldapServerPacket(s, f, buf, off, end);
        break;
    }
  }

  return det;
}
