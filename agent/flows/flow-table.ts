// The bidirectional flow table: packets in, FlowRecords out.
//
// NOTE: layout. Flows live in parallel typed arrays indexed by a flow id (0..maxFlows-1); a separate
// open-addressing hash index (linear probing, backward-shift deletion) maps the 5-tuple to `id + 1`.
// Both directions of a flow hash alike (the hash is symmetric), and a lookup compares both orientations.
// Counters are stored per direction of the *initiator* (index id*2 = originator, id*2+1 = responder),
// which is decided once, on the first packet (Zeek's rule; README "Who is the initiator").
// Every flow sits on one of four LRU lists, one per timeout class, so expiry only ever looks at list
// heads and a port scan cannot make it scan the table. The arrays are allocated once at `maxFlows`
// (zeroed pages are committed lazily by the OS), which is the hard memory cap.
import type { FlowRecord, InitiatorRule, L4Proto, EndReason } from '../../common/flow-record.js';
import { INITIATOR_RULES } from '../../common/flow-record.js';
import { isoMicros } from '../../common/time.js';
import { formatAddress } from '../decode/address.js';
import type { DecodedPacket } from '../decode/packet.js';
import { FRAG_FIRST, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../decode/packet.js';
import { icmpKeyType, isIcmpReply } from './icmp-types.js';
import { isLikelyServerPort } from './server-ports.js';
import {
  EP_INACTIVE,
  EP_RESET,
  datagramConnState,
  historyString,
  nextTcpStates,
  tcpConnState,
  tcpFinished,
  tcpHistoryMask,
} from './tcp-state.js';

export interface FlowTableOptions {
  /** Hard cap on live flows; past it the least recently seen flow is exported early (`evicted`). */
  maxFlows: number;
  idleTcpS: number;
  idleUdpS: number;
  idleIcmpS: number;
  /** A flow still active after this long is exported and its counters start again (NetFlow-style). */
  activeTimeoutS: number;
  /** How long a finished TCP connection (FIN both ways or RST) lingers for its last ACKs. */
  tcpCloseDelayS: number;
  /** 1-in-N sampling already applied upstream; counters are multiplied by it. */
  sampling: number;
}

export const DEFAULT_FLOW_TABLE_OPTIONS: FlowTableOptions = {
  maxFlows: 1 << 19,
  idleTcpS: 300,
  idleUdpS: 60,
  idleIcmpS: 60,
  activeTimeoutS: 1800,
  tcpCloseDelayS: 5,
  sampling: 1,
};

/**
 * Looks at the first payload bytes of each flow (protocol and auth detection lives behind this, in
 * agent/detect; the flow table only knows this interface). State is kept by the inspector per flow id.
 */
export interface FlowInspector {
  /** Flow id `f` starts a new flow: forget what was learnt about the id's previous flow. */
  open(f: number, proto: number, origPort: number, respPort: number): void;
  /**
   * Captured payload of one packet (`len` may be less than the packet's payload under a short snap
   * length). Return false once no further packets of this flow are wanted: the table stops calling.
   */
  payload(f: number, fromOrig: boolean, buf: Uint8Array, off: number, len: number, p: DecodedPacket): boolean;
  /** Add the labels learnt so far to a record being exported (a flow may be exported several times). */
  label(f: number, rec: FlowRecord): void;
}

export interface FlowTableStats {
  /** Flows currently in the table. */
  active: number;
  peakActive: number;
  /** Records emitted, by reason. */
  emitted: number;
  evicted: number;
  /** First fragments attributed to flows. */
  fragments: number;
}

export interface FlowTable {
  /** Account one decoded TCP/UDP/ICMP packet. */
  add(p: DecodedPacket): void;
  /** Export flows idle past their timeout at `nowUs` (capture clock). Cheap when nothing is due. */
  expire(nowUs: number): void;
  /** Export every remaining flow (`eof`). */
  flush(): void;
  readonly stats: FlowTableStats;
}

const L_TCP = 0;
const L_UDP = 1;
const L_ICMP = 2;
const L_CLOSING = 3;
const LIST_COUNT = 4;

const RULE_SYN = INITIATOR_RULES.indexOf('syn');
const RULE_SYNACK = INITIATOR_RULES.indexOf('synack');
const RULE_REPLY = INITIATOR_RULES.indexOf('reply');
const RULE_PORT = INITIATOR_RULES.indexOf('port');
const RULE_FIRST = INITIATOR_RULES.indexOf('first');

const TH_SYN = 0x02;
const TH_ACK = 0x10;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

const INITIAL_SLOTS = 4096;
// Multiplicative hashing of each endpoint (address words, port), finished with murmur3's fmix32.
const K1 = 0x9e3779b1 | 0;
const K2 = 0x85ebca77 | 0;
const K3 = 0xc2b2ae3d | 0;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function protoName(proto: number): L4Proto {
  return proto === IPPROTO_TCP ? 'tcp' : proto === IPPROTO_UDP ? 'udp' : proto === IPPROTO_ICMP ? 'icmp' : 'icmp6';
}

export function createFlowTable(
  options: Partial<FlowTableOptions>,
  onFlow: (r: FlowRecord) => void,
  inspector: FlowInspector | null = null,
): FlowTable {
  const o: FlowTableOptions = { ...DEFAULT_FLOW_TABLE_OPTIONS, ...options };
  if (!Number.isInteger(o.maxFlows) || o.maxFlows < 16) throw new Error(`maxFlows must be an integer ≥ 16 (got ${o.maxFlows})`);
  if (!Number.isInteger(o.sampling) || o.sampling < 1) throw new Error(`sampling must be an integer ≥ 1 (got ${o.sampling})`);
  const N = o.maxFlows;
  const S = o.sampling;
  const idleUs = new Float64Array(LIST_COUNT);
  idleUs[L_TCP] = o.idleTcpS * 1e6;
  idleUs[L_UDP] = o.idleUdpS * 1e6;
  idleUs[L_ICMP] = o.idleIcmpS * 1e6;
  idleUs[L_CLOSING] = o.tcpCloseDelayS * 1e6;
  const activeUs = o.activeTimeoutS * 1e6;

  // Hash index: slot → flow id + 1 (0 = empty), load factor ≤ 0.5. It starts small and doubles as
  // flows arrive: a lookup in an index sized for the cap (4 MB) missed the cache on every packet.
  const maxSlots = nextPow2(N * 2);
  let slots = new Int32Array(Math.min(maxSlots, INITIAL_SLOTS));
  let mask = slots.length - 1;

  // Key: endpoint A = sender of the first packet, B = its receiver.
  const kProto = new Uint8Array(N);
  const kAddr = new Uint32Array(N * 8);
  const kPort = new Uint32Array(N * 2);
  const kHash = new Int32Array(N);
  /** 1 when A is the originator. */
  const origIsA = new Uint8Array(N);
  const rule = new Uint8Array(N);
  const tStart = new Float64Array(N);
  const tLast = new Float64Array(N);
  // Per direction: [id*2] originator, [id*2+1] responder.
  const pkts = new Float64Array(N * 2);
  const ipBytes = new Float64Array(N * 2);
  const bytes = new Float64Array(N * 2);
  const tcpState = new Uint8Array(N * 2);
  const seqHigh = new Uint32Array(N * 2);
  const seqSeen = new Uint8Array(N * 2);
  /** Letters seen: bits 0..7 responder, 16..23 originator. */
  const histBits = new Uint32Array(N);
  /** History letter codes in the order first seen (≤ 16: each letter once per direction). */
  const histSeq = new Uint8Array(N * 16);
  const histLen = new Uint8Array(N);
  const frags = new Uint32Array(N);
  const vlan = new Uint16Array(N);
  const recPort = new Uint16Array(N * 2);
  /** 1 while the inspector still wants this flow's payloads. */
  const inspecting = new Uint8Array(N);
  // LRU lists (head = least recently seen).
  const prev = new Int32Array(N);
  const next = new Int32Array(N);
  const list = new Uint8Array(N);
  const head = new Int32Array(LIST_COUNT).fill(-1);
  const tail = new Int32Array(LIST_COUNT).fill(-1);
  // Free ids: bump pointer, then a stack of released ids (low ids reused first keeps pages warm).
  const freeStack = new Int32Array(N);
  let freeTop = 0;
  let bump = 0;

  const stats: FlowTableStats = { active: 0, peakActive: 0, emitted: 0, evicted: 0, fragments: 0 };
  // The capture clock (latest packet time). In a typed array, not a `let`: a closure variable holding a
  // double is re-boxed (a heap allocation) on every packet that moves it forward.
  const clock = new Float64Array(1);
  /** Bumped on every removal from the index, so an insert knows its probe position may be stale. */
  let removals = 0;

  function unlink(f: number): void {
    const l = list[f]!;
    const p = prev[f]!;
    const n = next[f]!;
    if (p >= 0) next[p] = n;
    else head[l] = n;
    if (n >= 0) prev[n] = p;
    else tail[l] = p;
  }

  function pushTail(f: number, l: number): void {
    list[f] = l;
    const t = tail[l]!;
    prev[f] = t;
    next[f] = -1;
    if (t >= 0) next[t] = f;
    else head[l] = f;
    tail[l] = f;
  }

  function touch(f: number, l: number): void {
    if (tail[l] === f && list[f] === l) return;
    unlink(f);
    pushTail(f, l);
  }

  function removeFromIndex(f: number): void {
    const h = kHash[f]!;
    let i = h & mask;
    while (slots[i] !== f + 1) i = (i + 1) & mask;
    slots[i] = 0;
    // Backward-shift deletion keeps probe chains intact without tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = slots[j]!;
      if (v === 0) return;
      const k = kHash[v - 1]! & mask;
      const stays = j > i ? k > i && k <= j : k > i || k <= j;
      if (!stays) {
        slots[i] = v;
        slots[j] = 0;
        i = j;
      }
    }
  }

  function emit(f: number, reason: EndReason): void {
    const aIsOrig = origIsA[f] === 1;
    const a = f * 8;
    const oa = aIsOrig ? a : a + 4;
    const ra = aIsOrig ? a + 4 : a;
    const proto = kProto[f]!;
    const op = pkts[f * 2]!;
    const rp = pkts[f * 2 + 1]!;
    const ob = bytes[f * 2]!;
    const rb = bytes[f * 2 + 1]!;
    const hist =
      (rule[f] === RULE_SYNACK || rule[f] === RULE_PORT || rule[f] === RULE_REPLY ? '^' : '') +
      historyString(histSeq, f * 16, histLen[f]!);
    const state =
      proto === IPPROTO_TCP
        ? tcpConnState(tcpState[f * 2]!, tcpState[f * 2 + 1]!, ob, rb, hist)
        : datagramConnState(op, rp);
    const rec: FlowRecord = {
      proto: protoName(proto),
      src: formatAddress(kAddr[oa]!, kAddr[oa + 1]!, kAddr[oa + 2]!, kAddr[oa + 3]!),
      sport: recPort[f * 2]!,
      dst: formatAddress(kAddr[ra]!, kAddr[ra + 1]!, kAddr[ra + 2]!, kAddr[ra + 3]!),
      dport: recPort[f * 2 + 1]!,
      start: isoMicros(tStart[f]!),
      end: isoMicros(tLast[f]!),
      orig_pkts: op,
      resp_pkts: rp,
      orig_ip_bytes: ipBytes[f * 2]!,
      resp_ip_bytes: ipBytes[f * 2 + 1]!,
      orig_bytes: ob,
      resp_bytes: rb,
      state,
      history: hist,
      end_reason: reason,
      initiator: INITIATOR_RULES[rule[f]!] as InitiatorRule,
      sampling: S,
      frags: frags[f]!,
      vlan: vlan[f]!,
      // NOTE: every label key, in common/flow-json.ts LABEL_KEYS order, undefined until the inspector's
      // label() fills it (JSON output leaves undefined out). Present from the start, the record is built
      // with one hidden class and label() only overwrites fields; added afterwards, each record walked 24
      // map transitions and regrew its property store (~0.3 µs a record, issue 4's detection cost).
      app: undefined, app_guess: undefined, auth: undefined, encryption: undefined, tls_version: undefined,
      sni: undefined, alpn: undefined, ja4: undefined, tls_client_cert: undefined, http_method: undefined,
      http_host: undefined, http_path_class: undefined, user_agent_family: undefined, jwt_alg: undefined,
      jwt_lifetime_s: undefined, ssh_client: undefined, ssh_server: undefined, dns_query: undefined,
      dns_qtype: undefined, pg_auth: undefined, mysql_auth_plugin: undefined, snmp_version: undefined,
      app_version: undefined, auth_mech: undefined,
    };
    if (inspector !== null) inspector.label(f, rec);
    stats.emitted++;
    onFlow(rec);
  }

  function release(f: number): void {
    unlink(f);
    removeFromIndex(f);
    removals++;
    freeStack[freeTop++] = f;
    stats.active--;
  }

  function finishReason(f: number): EndReason {
    if (kProto[f] !== IPPROTO_TCP || list[f] !== L_CLOSING) return 'idle';
    return tcpState[f * 2] === EP_RESET || tcpState[f * 2 + 1] === EP_RESET ? 'rst' : 'fin';
  }

  function expire(nowUs: number): void {
    if (nowUs > clock[0]!) clock[0] = nowUs;
    const now = clock[0]!;
    for (let l = 0; l < LIST_COUNT; l++) {
      const limit = now - idleUs[l]!;
      let f = head[l]!;
      while (f >= 0 && tLast[f]! <= limit) {
        emit(f, finishReason(f));
        release(f);
        f = head[l]!;
      }
    }
  }

  function evictOne(): void {
    let victim = -1;
    for (let l = 0; l < LIST_COUNT; l++) {
      const h = head[l]!;
      if (h >= 0 && (victim < 0 || tLast[h]! < tLast[victim]!)) victim = h;
    }
    emit(victim, 'evicted');
    release(victim);
    stats.evicted++;
  }

  function growIndex(): void {
    const old = slots;
    slots = new Int32Array(old.length * 2);
    mask = slots.length - 1;
    for (let i = 0; i < old.length; i++) {
      const v = old[i]!;
      if (v === 0) continue;
      let j = kHash[v - 1]! & mask;
      while (slots[j] !== 0) j = (j + 1) & mask;
      slots[j] = v;
    }
  }

  function allocate(): number {
    if (freeTop === 0 && bump === N) {
      expire(clock[0]!);
      if (freeTop === 0) evictOne();
    }
    const f = freeTop > 0 ? freeStack[--freeTop]! : bump++;
    stats.active++;
    if (stats.active > stats.peakActive) stats.peakActive = stats.active;
    return f;
  }

  function resetCounters(f: number, tsUs: number): void {
    tStart[f] = tsUs;
    tLast[f] = tsUs;
    pkts[f * 2] = 0;
    pkts[f * 2 + 1] = 0;
    ipBytes[f * 2] = 0;
    ipBytes[f * 2 + 1] = 0;
    bytes[f * 2] = 0;
    bytes[f * 2 + 1] = 0;
    frags[f] = 0;
  }

  function create(p: DecodedPacket, h: number, kpSrc: number, kpDst: number, slot: number): number {
    const before = removals;
    const f = allocate();
    const grow = stats.active * 2 > slots.length && slots.length < maxSlots;
    if (grow) growIndex();
    // Allocation may have expired or evicted flows and shifted the index, or the index grew: probe again.
    if (removals !== before || grow) {
      slot = h & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
    }
    slots[slot] = f + 1;
    const proto = p.proto;
    kProto[f] = proto;
    kHash[f] = h;
    const a = f * 8;
    kAddr[a] = p.src0; kAddr[a + 1] = p.src1; kAddr[a + 2] = p.src2; kAddr[a + 3] = p.src3;
    kAddr[a + 4] = p.dst0; kAddr[a + 5] = p.dst1; kAddr[a + 6] = p.dst2; kAddr[a + 7] = p.dst3;
    kPort[f * 2] = kpSrc;
    kPort[f * 2 + 1] = kpDst;

    // Who initiated? README "Who is the initiator".
    let senderIsOrig = true;
    let r = RULE_FIRST;
    if (proto === IPPROTO_TCP && p.tcpFlags & TH_SYN) {
      if (p.tcpFlags & TH_ACK) { senderIsOrig = false; r = RULE_SYNACK; } else r = RULE_SYN;
    } else if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
      if (isIcmpReply(proto === IPPROTO_ICMPV6, p.sport)) { senderIsOrig = false; r = RULE_REPLY; }
    } else if (isLikelyServerPort(p.sport) && !isLikelyServerPort(p.dport)) {
      senderIsOrig = false;
      r = RULE_PORT;
    }
    origIsA[f] = senderIsOrig ? 1 : 0;
    rule[f] = r;
    if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
      // Zeek: orig_p = the ICMP type, resp_p = the code, of the originator's message.
      const t = senderIsOrig ? p.sport : icmpKeyType(proto === IPPROTO_ICMPV6, p.sport);
      recPort[f * 2] = t;
      recPort[f * 2 + 1] = senderIsOrig ? p.dport : 0;
    } else {
      recPort[f * 2] = senderIsOrig ? p.sport : p.dport;
      recPort[f * 2 + 1] = senderIsOrig ? p.dport : p.sport;
    }
    resetCounters(f, p.tsUs);
    tcpState[f * 2] = EP_INACTIVE;
    tcpState[f * 2 + 1] = EP_INACTIVE;
    seqSeen[f * 2] = 0;
    seqSeen[f * 2 + 1] = 0;
    histBits[f] = 0;
    histLen[f] = 0;
    vlan[f] = p.vlan;
    pushTail(f, proto === IPPROTO_TCP ? L_TCP : proto === IPPROTO_UDP ? L_UDP : L_ICMP);
    if (inspector !== null) {
      inspecting[f] = 1;
      inspector.open(f, proto, recPort[f * 2]!, recPort[f * 2 + 1]!);
    }
    return f;
  }

  function add(p: DecodedPacket): void {
    const proto = p.proto;
    const ts = p.tsUs;
    if (ts > clock[0]!) clock[0] = ts;
    let kpSrc = p.sport;
    let kpDst = p.dport;
    if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
      // Key both directions of an exchange alike: request type (+ echo identifier) on both sides.
      kpSrc = kpDst = (icmpKeyType(proto === IPPROTO_ICMPV6, p.sport) << 16) | p.icmpId;
    }
    // Symmetric hash: the two endpoints' hashes are added, so A→B and B→A land in the same chain.
    const hs = Math.imul(p.src3 ^ Math.imul(p.src2 ^ Math.imul(p.src1 ^ Math.imul(p.src0, K1), K1), K1), K2) ^ Math.imul(kpSrc + 1, K3);
    const hd = Math.imul(p.dst3 ^ Math.imul(p.dst2 ^ Math.imul(p.dst1 ^ Math.imul(p.dst0, K1), K1), K1), K2) ^ Math.imul(kpDst + 1, K3);
    const h = fmix(((hs + hd) | 0) ^ proto);

    let slot = h & mask;
    let f = -1;
    let fromA = true;
    for (;;) {
      const v = slots[slot]!;
      if (v === 0) break;
      const c = v - 1;
      if (kHash[c] === h && kProto[c] === proto) {
        const a = c * 8;
        if (
          kAddr[a] === p.src0 && kAddr[a + 1] === p.src1 && kAddr[a + 2] === p.src2 && kAddr[a + 3] === p.src3 &&
          kAddr[a + 4] === p.dst0 && kAddr[a + 5] === p.dst1 && kAddr[a + 6] === p.dst2 && kAddr[a + 7] === p.dst3 &&
          kPort[c * 2] === kpSrc && kPort[c * 2 + 1] === kpDst
        ) { f = c; fromA = true; break; }
        if (
          kAddr[a] === p.dst0 && kAddr[a + 1] === p.dst1 && kAddr[a + 2] === p.dst2 && kAddr[a + 3] === p.dst3 &&
          kAddr[a + 4] === p.src0 && kAddr[a + 5] === p.src1 && kAddr[a + 6] === p.src2 && kAddr[a + 7] === p.src3 &&
          kPort[c * 2] === kpDst && kPort[c * 2 + 1] === kpSrc
        ) { f = c; fromA = false; break; }
      }
      slot = (slot + 1) & mask;
    }

    if (f >= 0) {
      // The flow timed out before this packet (expiry runs only every so often), or a new SYN arrived
      // on a finished connection (a reused port pair): the old record ends, this packet starts anew.
      if (
        tLast[f]! + idleUs[list[f]!]! <= ts ||
        (proto === IPPROTO_TCP && list[f] === L_CLOSING && (p.tcpFlags & (TH_SYN | TH_ACK)) === TH_SYN)
      ) {
        emit(f, finishReason(f));
        release(f);
        f = -1;
        slot = h & mask;
        while (slots[slot] !== 0) slot = (slot + 1) & mask;
      } else if (ts - tStart[f]! >= activeUs) {
        emit(f, 'active');
        resetCounters(f, ts);
      }
    }
    if (f < 0) {
      f = create(p, h, kpSrc, kpDst, slot);
      fromA = true;
    }

    const isOrig = fromA === (origIsA[f] === 1);
    const d = f * 2 + (isOrig ? 0 : 1);
    pkts[d] += S;
    ipBytes[d] += p.ipLen * S;
    bytes[d] += p.payloadLen * S;
    if (p.fragment === FRAG_FIRST) { frags[f]++; stats.fragments++; }
    if (inspecting[f] === 1 && p.payloadCap > 0 && inspector !== null) {
      if (!inspector.payload(f, isOrig, p.buf, p.payloadOff, p.payloadCap, p)) inspecting[f] = 0;
    }
    // Merged captures (several interfaces) can be slightly out of order.
    if (ts > tLast[f]!) tLast[f] = ts;
    else if (ts < tStart[f]!) tStart[f] = ts;

    let letters: number;
    if (proto === IPPROTO_TCP) {
      const flags = p.tcpFlags;
      const plen = p.payloadLen;
      // Retransmission: payload that ends at or before the highest sequence number already seen.
      let retrans = false;
      if (plen > 0) {
        const end = (p.tcpSeq + plen) >>> 0;
        if (seqSeen[d] === 1 && ((end - seqHigh[d]!) | 0) <= 0) retrans = true;
        else { seqHigh[d] = end; seqSeen[d] = 1; }
      }
      letters = tcpHistoryMask(flags, plen, retrans);
      const me = d;
      const peer = isOrig ? d + 1 : d - 1;
      const st = nextTcpStates(flags, plen, tcpState[me]!, tcpState[peer]!);
      tcpState[me] = st & 0xff;
      tcpState[peer] = st >>> 8;
      if (list[f] !== L_CLOSING && tcpFinished(tcpState[me]!, tcpState[peer]!)) {
        unlink(f);
        pushTail(f, L_CLOSING);
      } else {
        touch(f, list[f]!);
      }
    } else {
      letters = p.payloadLen > 0 ? 1 << 3 : 0; // d / D
      touch(f, list[f]!);
    }
    if (letters !== 0) {
      const shifted = isOrig ? letters << 16 : letters;
      const fresh = shifted & ~histBits[f]!;
      if (fresh !== 0) {
        histBits[f] |= fresh;
        const bits = isOrig ? fresh >>> 16 : fresh;
        const base = isOrig ? 8 : 0;
        for (let i = 0; i < 8; i++) if (bits & (1 << i)) histSeq[f * 16 + histLen[f]!++] = base + i;
      }
    }
  }

  function flush(): void {
    for (let l = 0; l < LIST_COUNT; l++) {
      let f = head[l]!;
      while (f >= 0) {
        emit(f, 'eof');
        release(f);
        f = head[l]!;
      }
    }
  }

  return { add, expire, flush, stats };
}
