// Agreement with tshark on every real capture under fixtures/ (globbed: a new fixture is covered without
// touching this file). Our side: `node dist/cli/main.js flows --json FILE`, NDJSON FlowRecords
// (common/flow-record.ts). tshark's side: one line of fields per frame, tallied per unordered 5-tuple.
//
// NOTE: counting rules, each a deliberate choice (also in fixtures/README.md):
// 1. Key = proto + unordered pair of (address, port) endpoints. Our records for one key are summed (a
//    long flow may be split by timeouts); initiator choice does not matter, direction does: packets
//    and IP bytes are compared per direction (endpoint A→B and B→A).
// 2. IP fragments: tshark runs with ip.defragment:FALSE and ipv6.defragment:FALSE. Then exactly the
//    packets that carry the L4 header (whole packets and first fragments) have ports/ICMP types, and a
//    datagram counts once. That is the flow table's rule too (non-first fragments are skipped as
//    'ip-fragment'; FlowRecord.frags counts first fragments). With reassembly on, tshark would count a
//    datagram at its last fragment, and not at all when a fragment is missing.
// 3. ICMP errors quoting a TCP/UDP header (port unreachable, …) belong to an ICMP flow, never to the
//    TCP/UDP flow they quote. `tshark -T fields` does show the quoted ports, so frames with an
//    icmp/icmpv6 layer are dropped from the TCP/UDP tally; `tshark -z conv,udp` leaves them out too.
// 4. Bytes = IP bytes from the IP length fields (IPv4 total length, IPv6 40 + payload length) of the
//    packets counted above, as FlowRecord.orig_ip_bytes/resp_ip_bytes define them.
// 5. A frame with two IP headers outside an ICMP error (a tunnel) has no rule yet: the test fails and
//    says so rather than guess.
// 6. ICMP echo (second test): frames whose outer ICMP type is echo request/reply (8/0, ICMPv6
//    128/129), per directed (src, dst) pair, against our icmp/icmp6 records whose sport (type of the
//    first initiator message) is an echo type.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'fixtures');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const CAPTURE_EXT = /\.(pcap|pcapng|cap)$/i;
const NO_DEFRAG = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE'];
const MAX_OUTPUT = 512 * 1024 * 1024;
const ICMP_ECHO_TYPES = new Set([0, 8]);
const ICMP6_ECHO_TYPES = new Set([128, 129]);

const captures = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((name) => CAPTURE_EXT.test(name))
  .map((name) => join(FIXTURES, name))
  .sort();

// NOTE: per-direction counters of one unordered key; A is the endpoint that sorts first.
interface DirCounts { pktsAB: number; pktsBA: number; bytesAB: number; bytesBA: number }
type Tally = Map<string, DirCounts>;

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: MAX_OUTPUT, stdio: ['ignore', 'pipe', 'pipe'] });
}

function endpoint(addr: string, port: number): string {
  return `${addr} ${port}`;
}

/** Adds one direction of traffic to the unordered key of (from → to). */
function add(tally: Tally, proto: string, from: string, to: string, pkts: number, bytes: number): void {
  const forward = from <= to;
  const key = forward ? `${proto} ${from} <-> ${to}` : `${proto} ${to} <-> ${from}`;
  let c = tally.get(key);
  if (!c) { c = { pktsAB: 0, pktsBA: 0, bytesAB: 0, bytesBA: 0 }; tally.set(key, c); }
  if (forward) { c.pktsAB += pkts; c.bytesAB += bytes; } else { c.pktsBA += pkts; c.bytesBA += bytes; }
}

// --- tshark's side -------------------------------------------------------------------------------------
const FIELDS = [
  'frame.number', 'ip.src', 'ip.dst', 'ip.len', 'ipv6.src', 'ipv6.dst', 'ipv6.plen',
  'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'icmp.type', 'icmpv6.type',
] as const;
type Field = (typeof FIELDS)[number];
/** One frame: every occurrence of each field, outermost first (ICMP errors repeat IP/L4 fields). */
type Frame = Record<Field, string[]>;

function tsharkFrames(file: string): Frame[] {
  const out = run('tshark', [
    '-n', '-r', file, ...NO_DEFRAG, '-T', 'fields', '-E', 'header=n', '-E', 'separator=/t',
    '-E', 'occurrence=a', '-E', 'aggregator=,', ...FIELDS.flatMap((f) => ['-e', f]),
  ]);
  return out.split('\n').filter((line) => line !== '').map((line) => {
    const cols = line.split('\t');
    if (cols.length !== FIELDS.length) throw new Error(`tshark: expected ${FIELDS.length} columns, got: ${line}`);
    const frame = {} as Frame;
    FIELDS.forEach((f, i) => { frame[f] = cols[i] === '' ? [] : cols[i]!.split(','); });
    return frame;
  });
}

/** Outer IP header of a frame: addresses and IP bytes (rule 4). */
function outerIp(frame: Frame): { src: string; dst: string; bytes: number } | undefined {
  // With ip and ipv6 both present only as tunnels or ICMP errors, which callers deal with first.
  if (frame['ip.src'].length > 0) {
    return { src: frame['ip.src'][0]!, dst: frame['ip.dst'][0]!, bytes: Number(frame['ip.len'][0]) };
  }
  if (frame['ipv6.src'].length > 0) {
    return { src: frame['ipv6.src'][0]!, dst: frame['ipv6.dst'][0]!, bytes: 40 + Number(frame['ipv6.plen'][0]) };
  }
  return undefined;
}

function isIcmp(frame: Frame): boolean {
  return frame['icmp.type'].length > 0 || frame['icmpv6.type'].length > 0;
}

function tsharkL4Tally(frames: Frame[]): Tally {
  const tally: Tally = new Map();
  for (const frame of frames) {
    if (isIcmp(frame)) continue; // rule 3
    const l4 = frame['tcp.srcport'].length > 0 ? 'tcp' : frame['udp.srcport'].length > 0 ? 'udp' : undefined;
    if (!l4) continue;
    const ipHeaders = frame['ip.src'].length + frame['ipv6.src'].length;
    if (ipHeaders !== 1 || frame[`${l4}.srcport` as const].length !== 1) {
      throw new Error(`frame ${frame['frame.number'][0]}: ${ipHeaders} IP headers, ` +
        `${frame[`${l4}.srcport` as const].length} ${l4} headers (a tunnel?): no counting rule for that yet (rule 5)`);
    }
    const ip = outerIp(frame)!;
    add(tally, l4, endpoint(ip.src, Number(frame[`${l4}.srcport` as const][0])),
      endpoint(ip.dst, Number(frame[`${l4}.dstport` as const][0])), 1, ip.bytes);
  }
  return tally;
}

/** Echo frames per directed "proto src > dst" pair (rule 6). */
function tsharkEchoPairs(frames: Frame[]): Map<string, number> {
  const pairs = new Map<string, number>();
  for (const frame of frames) {
    let proto: string;
    if (frame['icmp.type'].length > 0 && ICMP_ECHO_TYPES.has(Number(frame['icmp.type'][0]))) proto = 'icmp';
    else if (frame['icmpv6.type'].length > 0 && ICMP6_ECHO_TYPES.has(Number(frame['icmpv6.type'][0]))) proto = 'icmp6';
    else continue;
    const ip = outerIp(frame)!;
    const key = `${proto} ${ip.src} > ${ip.dst}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  return pairs;
}

/** Frames per unordered 5-tuple from `tshark -q -z conv,tcp -z conv,udp` (same defragment options). */
function tsharkConversations(file: string): Map<string, { pktsAB: number; pktsBA: number }> {
  const out = run('tshark', ['-n', '-q', '-r', file, ...NO_DEFRAG, '-z', 'conv,tcp', '-z', 'conv,udp']);
  const convs = new Map<string, { pktsAB: number; pktsBA: number }>();
  let proto = '';
  // Row: "A:port <-> B:port  <-frames <-bytes unit  ->frames ->bytes unit  frames bytes unit  start  duration",
  // where "<-" counts B→A and "->" counts A→B (an IPv6 address holds colons: the port is after the last).
  const row = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(\d+)\s/;
  for (const line of out.split('\n')) {
    if (line.startsWith('TCP Conversations')) proto = 'tcp';
    else if (line.startsWith('UDP Conversations')) proto = 'udp';
    const m = row.exec(line);
    if (!m) continue;
    const [, addrA, portA, addrB, portB, ba, ab, total] = m;
    if (Number(ab) + Number(ba) !== Number(total)) throw new Error(`tshark conv: cannot read row: ${line}`);
    const tally: Tally = new Map();
    add(tally, proto, endpoint(addrA!, Number(portA)), endpoint(addrB!, Number(portB)), Number(ab), 0);
    add(tally, proto, endpoint(addrB!, Number(portB)), endpoint(addrA!, Number(portA)), Number(ba), 0);
    for (const [key, c] of tally) {
      const prev = convs.get(key) ?? { pktsAB: 0, pktsBA: 0 };
      convs.set(key, { pktsAB: prev.pktsAB + c.pktsAB, pktsBA: prev.pktsBA + c.pktsBA });
    }
  }
  return convs;
}

// --- our side -----------------------------------------------------------------------------------------
interface OurRecord {
  proto: string; src: string; sport: number; dst: string; dport: number;
  orig_pkts: number; resp_pkts: number; orig_ip_bytes: number; resp_ip_bytes: number;
}

const recordCache = new Map<string, OurRecord[]>();

/** The CLI's records for a capture (run once per file, shared by the tests below). */
function ourRecords(file: string): OurRecord[] {
  let records = recordCache.get(file);
  if (!records) { records = runFlowsCli(file); recordCache.set(file, records); }
  return records;
}

function runFlowsCli(file: string): OurRecord[] {
  if (!existsSync(CLI)) {
    throw new Error(`${relative(ROOT, CLI)} does not exist: the CLI is not built (npm run build), or ` +
      '`surfacemap flows --json FILE` is not written yet');
  }
  const out = run(process.execPath, [CLI, 'flows', '--json', file]);
  return out.split('\n').filter((line) => line.trim() !== '').map((line, i) => {
    let rec: unknown;
    try { rec = JSON.parse(line); } catch {
      throw new Error(`flows --json: stdout line ${i + 1} is not JSON (stdout must be NDJSON only): ${line.slice(0, 200)}`);
    }
    const r = rec as Record<string, unknown>;
    for (const k of ['proto', 'src', 'dst']) {
      if (typeof r[k] !== 'string') throw new Error(`flows --json: record ${i + 1} has no string ${k}: ${line}`);
    }
    for (const k of ['sport', 'dport', 'orig_pkts', 'resp_pkts', 'orig_ip_bytes', 'resp_ip_bytes']) {
      if (!Number.isInteger(r[k])) throw new Error(`flows --json: record ${i + 1} has no integer ${k}: ${line}`);
    }
    return r as unknown as OurRecord;
  });
}

function ourL4Tally(records: OurRecord[]): Tally {
  const tally: Tally = new Map();
  for (const r of records) {
    if (r.proto !== 'tcp' && r.proto !== 'udp') continue;
    const src = endpoint(r.src, r.sport);
    const dst = endpoint(r.dst, r.dport);
    add(tally, r.proto, src, dst, r.orig_pkts, r.orig_ip_bytes);
    add(tally, r.proto, dst, src, r.resp_pkts, r.resp_ip_bytes);
  }
  return tally;
}

function ourEchoPairs(records: OurRecord[]): Map<string, number> {
  const pairs = new Map<string, number>();
  const bump = (key: string, n: number) => { if (n > 0) pairs.set(key, (pairs.get(key) ?? 0) + n); };
  for (const r of records) {
    const echo = (r.proto === 'icmp' && ICMP_ECHO_TYPES.has(r.sport)) ||
      (r.proto === 'icmp6' && ICMP6_ECHO_TYPES.has(r.sport));
    if (!echo) continue;
    bump(`${r.proto} ${r.src} > ${r.dst}`, r.orig_pkts);
    bump(`${r.proto} ${r.dst} > ${r.src}`, r.resp_pkts);
  }
  return pairs;
}

// --- comparison ---------------------------------------------------------------------------------------
/** One line per key whose counters differ: "key: ours A→B x pkts/y B, B→A … | tshark …". */
function countDiff(ours: Tally, theirs: Tally, withBytes: boolean): string[] {
  const fmt = (c: DirCounts | undefined) => {
    const d = c ?? { pktsAB: 0, pktsBA: 0, bytesAB: 0, bytesBA: 0 };
    return withBytes
      ? `A→B ${d.pktsAB} pkts/${d.bytesAB} B, B→A ${d.pktsBA} pkts/${d.bytesBA} B`
      : `A→B ${d.pktsAB} pkts, B→A ${d.pktsBA} pkts`;
  };
  const keys = [...new Set([...ours.keys(), ...theirs.keys()])].sort();
  return keys.filter((k) => fmt(ours.get(k)) !== fmt(theirs.get(k)))
    .map((k) => `${k}: ours ${fmt(ours.get(k))} | tshark ${fmt(theirs.get(k))}`);
}

function mapDiff(ours: Map<string, number>, theirs: Map<string, number>): string[] {
  const keys = [...new Set([...ours.keys(), ...theirs.keys()])].sort();
  return keys.filter((k) => (ours.get(k) ?? 0) !== (theirs.get(k) ?? 0))
    .map((k) => `${k}: ours ${ours.get(k) ?? 0} | tshark ${theirs.get(k) ?? 0}`);
}

describe('fixtures and tshark', () => {
  it('tshark is installed (the agreement tests need it; they never skip)', () => {
    expect(run('tshark', ['--version'])).toMatch(/^TShark/);
  });

  it('finds the captures, and fixtures/README.md describes each one', () => {
    expect(captures.length).toBeGreaterThan(0);
    const readme = readFileSync(join(FIXTURES, 'README.md'), 'utf8');
    const undocumented = captures.map((f) => relative(FIXTURES, f)).filter((name) => !readme.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});

describe.each(captures.map((file) => [relative(ROOT, file), file] as const))('%s', (_name, file) => {
  // Lazily, not in beforeAll: a failing hook would mark these tests skipped instead of failed.
  let cached: Frame[] | undefined;
  const frames = (): Frame[] => (cached ??= tsharkFrames(file));

  it('tshark per-frame tally agrees with tshark -z conv,tcp/udp (checks the reference itself)', () => {
    const perFrame = tsharkL4Tally(frames());
    const conv: Tally = new Map([...tsharkConversations(file)].map(([k, c]) => [k, { ...c, bytesAB: 0, bytesBA: 0 }]));
    const noBytes: Tally = new Map([...perFrame].map(([k, c]) => [k, { ...c, bytesAB: 0, bytesBA: 0 }]));
    expect(countDiff(noBytes, conv, false)).toEqual([]);
  });

  it('TCP/UDP flows: same 5-tuples, packets and IP bytes per direction as tshark', () => {
    const theirs = tsharkL4Tally(frames());
    const ours = ourL4Tally(ourRecords(file));
    expect.soft([...ours.keys()].sort(), 'set of unordered 5-tuples').toEqual([...theirs.keys()].sort());
    expect.soft(countDiff(ours, theirs, true), 'per-5-tuple differences').toEqual([]);
  });

  it('ICMP echo flows: packets per (src, dst) pair equal tshark icmp/icmpv6 echo frames', () => {
    const theirs = tsharkEchoPairs(frames());
    const ours = ourEchoPairs(ourRecords(file));
    expect(mapDiff(ours, theirs)).toEqual([]);
  });
});
