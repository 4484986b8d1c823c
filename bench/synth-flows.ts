// The traffic model of the synthetic capture: one planning function per kind of flow. Short flows
// arrive as a Poisson process over the hour (`planShortFlow`); a few hundred long flows (Prometheus
// scrapes over keep-alive, database pools, backups, admin SSH sessions) start at the beginning
// (`planLongFlows`). About 10 % of flows are IPv6; clients on tagged VLANs give 802.1Q frames.
import {
  type Rng, chance, exponential, logNormal, pick, pickWeighted, uniform, uniformInt,
} from './synth-random.js';
import { type Host, type Network, v4Bytes } from './synth-network.js';
import {
  type Dir, type Flow, type PrefixFn, type Script, DIR_C2S, DIR_S2C, SPECIAL_PORT_UNREACHABLE, createScript, put, wait,
} from './synth-script.js';
import { type HandshakeOutcome, type TcpCtx, pickClose, tcpClose, tcpHandshake, tcpRound, tcpSend } from './synth-tcp.js';
import * as P from './synth-payloads.js';

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const IPV6_SHARE = 0.1;
const SECOND_US = 1_000_000;

export interface PlanCtx {
  rng: Rng;
  net: Network;
  /** Capture length, µs. */
  durationUs: number;
  startEpochS: number;
  nextId: () => number;
}

// NOTE: sizes of the model, in one place so the capture can be tuned to ≈ 2 M packets / 1 GB.
export const MODEL = {
  webResponseMedianBytes: 1500,
  webResponseSigma: 1.3,
  webMaxBytes: 4_000_000,
  webMeanExtraRounds: 1.3,
  dbResponseMedianBytes: 700,
  promResponseMedianBytes: 8_000,
  promScrapeIntervalUs: 30 * SECOND_US,
  dbPools: 12,
  dbPoolMeanGapUs: 2.5 * SECOND_US,
  backups: 2,
  backupMedianBytes: 15_000_000,
  adminSshSessions: 6,
} as const;

const SHORT_MIX = {
  web: 40, dns: 27, statsd: 6, graphite: 2, ping: 3, udpClosed: 1,
  redis: 6, postgres: 4, mysql: 2, ssh: 1, rejected: 4, s0: 4,
} as const;
export type ShortKind = keyof typeof SHORT_MIX;

// --- shared helpers ---

function ephemeralPort(rng: Rng): number {
  return uniformInt(rng, 32768, 60999);
}

function lanRtt(rng: Rng): number {
  return uniform(rng, 120, 1500);
}

function wanRtt(rng: Rng): number {
  return uniform(rng, 8000, 80000);
}

function tcpCtx(rng: Rng, t0: number, rtt: number, v6: boolean): TcpCtx {
  return { s: createScript(t0), rng, rtt, mss: v6 ? 1440 : 1460 };
}

/** Prefix function over two lists of per-burst application bytes (null = filler only). */
function prefixes(c2s: (Uint8Array | null)[], s2c: (Uint8Array | null)[]): PrefixFn {
  return (dir: Dir, burst: number) => (dir === DIR_C2S ? c2s[burst] : s2c[burst]) ?? null;
}

interface FlowShape {
  kind: string;
  proto: number;
  v6: boolean;
  client: Host;
  server: Host;
  cport: number;
  sport: number;
  script: Script;
  prefix: PrefixFn;
}

function makeFlow(ctx: PlanCtx, f: FlowShape): Flow {
  const { rng } = ctx;
  const isn: [number, number] = [uniformInt(rng, 0, 0xffffffff) >>> 0, uniformInt(rng, 0, 0xffffffff) >>> 0];
  return {
    id: ctx.nextId(), kind: f.kind, proto: f.proto, v6: f.v6, client: f.client, server: f.server,
    cport: f.cport, sport: f.sport, vlan: f.client.vlan || f.server.vlan,
    times: f.script.times, meta: f.script.meta, next: 0,
    isn, nextSeq: [isn[0], isn[1]], bursts: [0, 0], icmpSeq: 0, ipId: uniformInt(rng, 0, 0xffff), prefix: f.prefix,
  };
}

function clampBytes(n: number, lo: number, hi: number): number {
  return Math.round(Math.min(hi, Math.max(lo, n)));
}

function hostName(h: Host): string {
  return h.external ? h.name : `${h.name}.corp.internal`;
}

/** An HTTP/1.1 response of `total` bytes whose head states the right Content-Length. */
function httpResponse(total: number): { head: Uint8Array; total: number } {
  const guess = P.httpResponseHead(total);
  const body = Math.max(0, total - guess.length);
  const head = P.httpResponseHead(body);
  return { head, total: head.length + body };
}

// --- TCP applications ---

function tlsHandshake(c: TcpCtx, rng: Rng, sni: string, alpn: readonly string[], c2s: (Uint8Array | null)[], s2c: (Uint8Array | null)[]): void {
  const hello = P.tlsClientHello(rng, sni, alpn);
  c2s.push(hello, null);
  s2c.push(P.tlsServerHello(rng));
  tcpRound(c, hello.length, uniformInt(rng, 1400, 4800), uniform(rng, 200, 3000));
  wait(c.s, uniform(rng, 50, 500));
  tcpSend(c, DIR_C2S, uniformInt(rng, 64, 160));
  wait(c.s, uniform(rng, 20, 300));
}

function planWeb(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const external = chance(rng, 0.3);
  const server = external ? pick(rng, net.external) : pick(rng, net.web);
  const port = external ? (chance(rng, 0.9) ? 443 : 80) : Number(pickWeighted(rng, { '443': 65, '80': 20, '8080': 15 }));
  const v6 = chance(rng, IPV6_SHARE);
  const c = tcpCtx(rng, t0, external ? wanRtt(rng) : lanRtt(rng), v6);
  const c2s: (Uint8Array | null)[] = [];
  const s2c: (Uint8Array | null)[] = [];
  if (tcpHandshake(c, 'ok')) {
    const tls = port === 443;
    if (tls) tlsHandshake(c, rng, hostName(server), ['h2', 'http/1.1'], c2s, s2c);
    const rounds = 1 + Math.min(29, Math.floor(exponential(rng, MODEL.webMeanExtraRounds)));
    for (let r = 0; r < rounds; r++) {
      const size = clampBytes(logNormal(rng, MODEL.webResponseMedianBytes, MODEL.webResponseSigma), 150, MODEL.webMaxBytes);
      if (r > 0) wait(c.s, exponential(rng, 400_000));
      if (tls) {
        tcpRound(c, uniformInt(rng, 180, 900), size, uniform(rng, 200, 20_000));
      } else {
        const req = P.httpRequest(rng, hostName(server));
        const resp = httpResponse(size);
        c2s.push(req);
        s2c.push(resp.head);
        tcpRound(c, req.length, resp.total, uniform(rng, 200, 20_000));
      }
    }
    wait(c.s, exponential(rng, 200_000));
    tcpClose(c, pickClose(rng));
  }
  return makeFlow(ctx, {
    kind: 'web', proto: IPPROTO_TCP, v6, client: pick(rng, net.clients), server,
    cport: ephemeralPort(rng), sport: port, script: c.s, prefix: prefixes(c2s, s2c),
  });
}

/** Login (PostgreSQL over TLS or SCRAM in the clear), then `queries` request/response rounds. */
function postgresSession(ctx: PlanCtx, c: TcpCtx, tls: boolean, queries: number, meanGapUs: number, untilUs: number): PrefixFn {
  const { rng } = ctx;
  const c2s: (Uint8Array | null)[] = [];
  const s2c: (Uint8Array | null)[] = [];
  if (tls) {
    const req = P.pgSslRequest();
    c2s.push(req);
    s2c.push(P.text('S'));
    tcpRound(c, req.length, 1, uniform(rng, 30, 200));
    wait(c.s, uniform(rng, 20, 200));
    tlsHandshake(c, rng, 'db.corp.internal', ['postgresql'], c2s, s2c);
    tcpRound(c, uniformInt(rng, 120, 200), uniformInt(rng, 300, 500), uniform(rng, 500, 3000));
  } else {
    const startup = P.pgStartup('orders', 'orders');
    const sasl = P.pgAuthSasl();
    c2s.push(startup);
    s2c.push(sasl);
    tcpRound(c, startup.length, sasl.length, uniform(rng, 100, 800));
    tcpRound(c, uniformInt(rng, 60, 110), uniformInt(rng, 90, 120), uniform(rng, 500, 4000));
    tcpRound(c, uniformInt(rng, 100, 130), uniformInt(rng, 300, 500), uniform(rng, 500, 4000));
  }
  for (let q = 0; q < queries && c.s.t < untilUs; q++) {
    wait(c.s, exponential(rng, meanGapUs));
    const resp = clampBytes(logNormal(rng, MODEL.dbResponseMedianBytes, 1.4), 11, 2_000_000);
    tcpRound(c, uniformInt(rng, 60, 600), resp, uniform(rng, 100, 30_000));
  }
  return prefixes(c2s, s2c);
}

function planPostgres(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const v6 = chance(rng, IPV6_SHARE);
  const c = tcpCtx(rng, t0, lanRtt(rng), v6);
  let prefix: PrefixFn = prefixes([], []);
  if (tcpHandshake(c, 'ok')) {
    prefix = postgresSession(ctx, c, chance(rng, 0.5), 2 + Math.floor(exponential(rng, 20)), 40_000, Infinity);
    wait(c.s, exponential(rng, 500_000));
    tcpClose(c, chance(rng, 0.85) ? 'fin-c' : 'open');
  }
  return makeFlow(ctx, {
    kind: 'postgres', proto: IPPROTO_TCP, v6, client: pick(rng, net.clients), server: pick(rng, net.postgres),
    cport: ephemeralPort(rng), sport: 5432, script: c.s, prefix,
  });
}

function planMysql(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const v6 = chance(rng, IPV6_SHARE);
  const c = tcpCtx(rng, t0, lanRtt(rng), v6);
  const greeting = P.mysqlGreeting(rng);
  const login = P.mysqlLogin(rng, 'billing');
  if (tcpHandshake(c, 'ok')) {
    tcpSend(c, DIR_S2C, greeting.length);
    wait(c.s, c.rtt);
    tcpRound(c, login.length, 11, uniform(rng, 200, 3000));
    const queries = 1 + Math.floor(exponential(rng, 15));
    for (let q = 0; q < queries; q++) {
      wait(c.s, exponential(rng, 30_000));
      tcpRound(c, uniformInt(rng, 40, 400), clampBytes(logNormal(rng, 500, 1.3), 11, 1_000_000), uniform(rng, 100, 20_000));
    }
    tcpClose(c, chance(rng, 0.9) ? 'fin-c' : 'rst-c');
  }
  return makeFlow(ctx, {
    kind: 'mysql', proto: IPPROTO_TCP, v6, client: pick(rng, net.clients), server: pick(rng, net.mysql),
    cport: ephemeralPort(rng), sport: 3306, script: c.s, prefix: prefixes([login], [greeting]),
  });
}

function planRedis(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const v6 = chance(rng, IPV6_SHARE);
  const c = tcpCtx(rng, t0, lanRtt(rng), v6);
  const c2s: Uint8Array[] = [];
  const s2c: Uint8Array[] = [];
  if (tcpHandshake(c, 'ok')) {
    const rounds = 3 + Math.min(200, Math.floor(exponential(rng, 15)));
    for (let r = 0; r < rounds; r++) {
      const cmd = P.redisCommand(rng);
      const reply = P.redisReply(rng);
      c2s.push(cmd);
      s2c.push(reply);
      tcpRound(c, cmd.length, reply.length, uniform(rng, 20, 200));
      wait(c.s, exponential(rng, 30_000));
    }
    tcpClose(c, pickWeighted(rng, { 'fin-c': 80, 'rst-c': 10, open: 10 }));
  }
  return makeFlow(ctx, {
    kind: 'redis', proto: IPPROTO_TCP, v6, client: pick(rng, net.clients), server: pick(rng, net.redis),
    cport: ephemeralPort(rng), sport: 6379, script: c.s, prefix: prefixes(c2s, s2c),
  });
}

/** Banners, key exchange, then keystrokes and echoes; sometimes an scp upload. */
function sshSession(rng: Rng, c: TcpCtx, keystrokes: number, meanGapUs: number, untilUs: number): PrefixFn {
  const cBanner = P.sshBanner('OpenSSH_9.6p1 Ubuntu-3ubuntu13');
  const sBanner = P.sshBanner('OpenSSH_9.2p1 Debian-2+deb12u2');
  tcpSend(c, DIR_S2C, sBanner.length);
  wait(c.s, uniform(rng, 100, 2000));
  tcpSend(c, DIR_C2S, cBanner.length);
  wait(c.s, c.rtt);
  tcpRound(c, uniformInt(rng, 1400, 1600), uniformInt(rng, 1000, 1200), uniform(rng, 100, 1000));
  tcpRound(c, 48, uniformInt(rng, 500, 1100), uniform(rng, 500, 3000));
  tcpRound(c, uniformInt(rng, 60, 120), uniformInt(rng, 40, 80), uniform(rng, 500, 3000));
  tcpRound(c, uniformInt(rng, 300, 700), uniformInt(rng, 40, 80), uniform(rng, 1000, 30_000));
  if (chance(rng, 0.05)) {
    wait(c.s, uniform(rng, 100_000, 1_000_000));
    tcpRound(c, clampBytes(logNormal(rng, 1_000_000, 1), 10_000, 40_000_000), 36, 1000);
  }
  for (let k = 0; k < keystrokes && c.s.t < untilUs; k++) {
    wait(c.s, exponential(rng, meanGapUs));
    tcpRound(c, 36, chance(rng, 0.85) ? 36 : uniformInt(rng, 100, 4000), uniform(rng, 50, 500));
  }
  return prefixes([cBanner], [sBanner]);
}

function planSsh(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const v6 = chance(rng, IPV6_SHARE);
  const c = tcpCtx(rng, t0, lanRtt(rng), v6);
  const client = chance(rng, 0.8) ? pick(rng, net.clients) : net.bastion;
  let prefix: PrefixFn = prefixes([], []);
  if (tcpHandshake(c, 'ok')) {
    prefix = sshSession(rng, c, 10 + Math.min(2000, Math.floor(exponential(rng, 80))), 300_000, Infinity);
    tcpClose(c, chance(rng, 0.9) ? 'fin-c' : 'rst-s');
  }
  return makeFlow(ctx, {
    kind: 'ssh', proto: IPPROTO_TCP, v6, client, server: pick(rng, net.servers),
    cport: ephemeralPort(rng), sport: 22, script: c.s, prefix,
  });
}

function planRefused(ctx: PlanCtx, t0: number, outcome: HandshakeOutcome): Flow {
  const { rng, net } = ctx;
  const v6 = chance(rng, IPV6_SHARE);
  const c = tcpCtx(rng, t0, lanRtt(rng), v6);
  tcpHandshake(c, outcome);
  const server = outcome === 's0' ? pick(rng, net.dark) : pick(rng, net.servers);
  const ports = outcome === 's0' ? [22, 443, 445, 3389, 8443] : [25, 3389, 5433, 8081, 9000, 11211];
  return makeFlow(ctx, {
    kind: outcome === 's0' ? 's0' : 'rejected', proto: IPPROTO_TCP, v6, client: pick(rng, net.clients), server,
    cport: ephemeralPort(rng), sport: pick(rng, ports), script: c.s, prefix: prefixes([], []),
  });
}

// --- UDP and ICMP ---

function planDns(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const v6 = chance(rng, IPV6_SHARE);
  const target = chance(rng, 0.6) ? pick(rng, net.servers) : pick(rng, net.external);
  const nx = chance(rng, 0.05);
  const name = nx ? 'wpad.corp.internal' : hostName(target);
  const qtype = v6 || chance(rng, 0.2) ? P.DNS_TYPE_AAAA : P.DNS_TYPE_A;
  const id = uniformInt(rng, 0, 0xffff);
  const query = P.dnsQuery(id, name, qtype);
  const answer = P.dnsResponse(id, name, qtype, nx ? null : qtype === P.DNS_TYPE_A ? v4Bytes(target.v4) : target.v6);
  const s = createScript(t0);
  put(s, DIR_C2S, 0, query.length, true);
  if (!chance(rng, 0.03)) {
    wait(s, target.external ? uniform(rng, 5000, 60_000) : uniform(rng, 150, 3000));
    put(s, DIR_S2C, 0, answer.length, true);
  }
  return makeFlow(ctx, {
    kind: 'dns', proto: IPPROTO_UDP, v6, client: pick(rng, net.clients), server: pick(rng, net.dns),
    cport: ephemeralPort(rng), sport: 53, script: s, prefix: prefixes([query], [answer]),
  });
}

/** One-way datagrams from the client, each a whole message (exact lengths). */
function oneWayUdp(ctx: PlanCtx, t0: number, kind: string, client: Host, server: Host, port: number,
  datagrams: Uint8Array[], gap: () => number): Flow {
  const { rng } = ctx;
  const s = createScript(t0);
  for (const d of datagrams) {
    put(s, DIR_C2S, 0, d.length, true);
    wait(s, gap());
  }
  return makeFlow(ctx, {
    kind, proto: IPPROTO_UDP, v6: chance(rng, IPV6_SHARE), client, server,
    cport: ephemeralPort(rng), sport: port, script: s, prefix: prefixes(datagrams, []),
  });
}

function planStatsd(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const client = pick(rng, net.clients);
  const n = 1 + Math.min(59, Math.floor(exponential(rng, 5)));
  const service = `svc${client.index % 20}`;
  const datagrams = Array.from({ length: n }, () => P.statsdDatagram(rng, service, uniformInt(rng, 30, 500)));
  return oneWayUdp(ctx, t0, 'statsd', client, net.statsd, 8125, datagrams, () => exponential(rng, 2 * SECOND_US));
}

function planGraphite(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const client = pick(rng, net.servers);
  const n = 1 + Math.min(30, Math.floor(exponential(rng, 3)));
  const ts = ctx.startEpochS + Math.floor(t0 / SECOND_US);
  const datagrams = Array.from({ length: n }, (_, i) => P.graphiteDatagram(rng, client.name, ts + 10 * i, uniformInt(rng, 300, 1400)));
  return oneWayUdp(ctx, t0, 'graphite', client, net.graphite, 2003, datagrams, () => uniform(rng, 9.5 * SECOND_US, 10.5 * SECOND_US));
}

function planPing(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const v6 = chance(rng, IPV6_SHARE);
  const dead = chance(rng, 0.08);
  const server = dead ? pick(rng, net.dark) : chance(rng, 0.2) ? pick(rng, net.external) : pick(rng, net.servers);
  const rtt = server.external ? wanRtt(rng) : lanRtt(rng);
  const n = 1 + Math.min(29, Math.floor(exponential(rng, 4)));
  const s = createScript(t0);
  for (let i = 0; i < n; i++) {
    s.t = t0 + i * SECOND_US + uniform(rng, 0, 2000);
    put(s, DIR_C2S, 0, 56, true);
    if (!dead && !chance(rng, 0.02)) {
      wait(s, rtt);
      put(s, DIR_S2C, 0, 56, true);
    }
  }
  return makeFlow(ctx, {
    kind: 'ping', proto: v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, v6, client: pick(rng, net.clients), server,
    cport: uniformInt(rng, 1, 0xffff), sport: 0, script: s, prefix: prefixes([], []),
  });
}

/** SNMP to a host that does not listen: each datagram draws an ICMP port unreachable. */
function planUdpClosed(ctx: PlanCtx, t0: number): Flow {
  const { rng, net } = ctx;
  const datagram = P.snmpGetRequest(uniformInt(rng, 1, 0x7fffffff));
  const s = createScript(t0);
  const tries = uniformInt(rng, 1, 3);
  for (let i = 0; i < tries; i++) {
    put(s, DIR_C2S, 0, datagram.length, true);
    wait(s, uniform(rng, 100, 800));
    put(s, DIR_S2C, 0, datagram.length, false, SPECIAL_PORT_UNREACHABLE);
    wait(s, SECOND_US);
  }
  return makeFlow(ctx, {
    kind: 'udp-closed', proto: IPPROTO_UDP, v6: chance(rng, IPV6_SHARE), client: pick(rng, net.clients),
    server: pick(rng, net.servers), cport: ephemeralPort(rng), sport: 161, script: s,
    prefix: () => datagram,
  });
}

const SHORT_PLANS: Record<ShortKind, (ctx: PlanCtx, t0: number) => Flow> = {
  web: planWeb,
  dns: planDns,
  statsd: planStatsd,
  graphite: planGraphite,
  ping: planPing,
  udpClosed: planUdpClosed,
  redis: planRedis,
  postgres: planPostgres,
  mysql: planMysql,
  ssh: planSsh,
  rejected: (ctx, t0) => planRefused(ctx, t0, 'rej'),
  s0: (ctx, t0) => planRefused(ctx, t0, 's0'),
};

export function planShortFlow(ctx: PlanCtx, t0: number): Flow {
  return SHORT_PLANS[pickWeighted(ctx.rng, SHORT_MIX)](ctx, t0);
}

// --- long flows ---

function planPromScrape(ctx: PlanCtx, target: Host): Flow {
  const { rng, net } = ctx;
  const c = tcpCtx(rng, uniform(rng, 0, MODEL.promScrapeIntervalUs), lanRtt(rng), false);
  const c2s: Uint8Array[] = [];
  const s2c: Uint8Array[] = [];
  tcpHandshake(c, 'ok');
  const start = c.s.t;
  for (let i = 0; start + i * MODEL.promScrapeIntervalUs < ctx.durationUs - MODEL.promScrapeIntervalUs; i++) {
    c.s.t = Math.max(c.s.t, start + i * MODEL.promScrapeIntervalUs + uniform(rng, 0, 5000));
    const req = P.httpRequest(rng, `${target.name}:9100`, '/metrics');
    const resp = httpResponse(clampBytes(logNormal(rng, MODEL.promResponseMedianBytes, 0.25), 2000, 200_000));
    c2s.push(req);
    s2c.push(resp.head);
    tcpRound(c, req.length, resp.total, uniform(rng, 2000, 40_000));
  }
  return makeFlow(ctx, {
    kind: 'prometheus', proto: IPPROTO_TCP, v6: false, client: net.prometheus, server: target,
    cport: ephemeralPort(rng), sport: 9100, script: c.s, prefix: prefixes(c2s, s2c),
  });
}

function planDbPool(ctx: PlanCtx): Flow {
  const { rng, net } = ctx;
  const c = tcpCtx(rng, uniform(rng, 0, 5 * SECOND_US), lanRtt(rng), false);
  tcpHandshake(c, 'ok');
  const until = ctx.durationUs - 10 * SECOND_US;
  const prefix = postgresSession(ctx, c, true, Number.MAX_SAFE_INTEGER, MODEL.dbPoolMeanGapUs, until);
  return makeFlow(ctx, {
    kind: 'db-pool', proto: IPPROTO_TCP, v6: false, client: pick(rng, net.web), server: pick(rng, net.postgres),
    cport: ephemeralPort(rng), sport: 5432, script: c.s, prefix,
  });
}

function planBackup(ctx: PlanCtx, client: Host): Flow {
  const { rng, net } = ctx;
  const c = tcpCtx(rng, uniform(rng, 300 * SECOND_US, 3000 * SECOND_US), lanRtt(rng), false);
  const greeting = P.rsyncGreeting();
  tcpHandshake(c, 'ok');
  tcpSend(c, DIR_S2C, greeting.length);
  wait(c.s, uniform(rng, 100, 500));
  tcpRound(c, greeting.length, 200, 2000);
  tcpRound(c, clampBytes(logNormal(rng, MODEL.backupMedianBytes, 0.4), 1_000_000, 60_000_000), 120, 5000);
  tcpClose(c, 'fin-c');
  return makeFlow(ctx, {
    kind: 'backup', proto: IPPROTO_TCP, v6: false, client, server: net.backup,
    cport: ephemeralPort(rng), sport: 873, script: c.s, prefix: prefixes([greeting], [greeting]),
  });
}

function planAdminSsh(ctx: PlanCtx): Flow {
  const { rng, net } = ctx;
  const t0 = uniform(rng, 0, 600 * SECOND_US);
  const c = tcpCtx(rng, t0, lanRtt(rng), false);
  tcpHandshake(c, 'ok');
  const until = Math.min(ctx.durationUs - SECOND_US, t0 + uniform(rng, 600, 3000) * SECOND_US);
  const prefix = sshSession(rng, c, Number.MAX_SAFE_INTEGER, 2 * SECOND_US, until);
  tcpClose(c, 'fin-c');
  return makeFlow(ctx, {
    kind: 'admin-ssh', proto: IPPROTO_TCP, v6: false, client: net.bastion, server: pick(rng, net.servers),
    cport: ephemeralPort(rng), sport: 22, script: c.s, prefix,
  });
}

export function planLongFlows(ctx: PlanCtx): Flow[] {
  const { net } = ctx;
  const flows: Flow[] = [];
  for (const target of net.servers) if (target !== net.prometheus) flows.push(planPromScrape(ctx, target));
  for (let i = 0; i < MODEL.dbPools; i++) flows.push(planDbPool(ctx));
  for (let i = 0; i < MODEL.backups; i++) flows.push(planBackup(ctx, net.web[i] ?? net.prometheus));
  for (let i = 0; i < MODEL.adminSshSessions; i++) flows.push(planAdminSsh(ctx));
  return flows;
}

export const SHORT_KINDS = Object.keys(SHORT_MIX) as ShortKind[];
