// The allow-list proven by enforcement ("chaos test"). A small network of namespaces on one bridge:
// a crown-jewel host `vault` running real servers (python3 http.server on tcp/8080, a socat TCP echo on
// tcp/9000, a socat UDP echo on udp/9999) and three clients in two zones. A real workload (curl, socat)
// is captured with tcpdump on the jewel's interface, replayed through the real server with
// `surfacemap replay`, and `surfacemap export allowlist --jewel vault --format nftables` generates the
// rules, loaded with `nft -f` inside the jewel's namespace. Then:
//   1. every observed flow still succeeds, and new client→jewel flows (another client on an observed
//      port, an observed client on another port) are blocked;
//   2. with each generated rule removed in turn (from the intent YAML), the flows the simulator
//      (`POST /api/v1/simulate`, and `surfacemap check`) says would be denied are exactly the observed
//      flows that fail under the reduced rules, loaded the same way (`--source intent`).
// Needs root, ip, nft, tcpdump, socat, curl and python3 (CI runs as root); fails loudly without them.
// Addresses are from TEST-NET-2 (198.51.100.0/24) and exist only inside the namespaces, whose names
// are unique per run; everything is removed in afterAll, also after a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_TOKEN, API_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import { runCli } from './helpers/ship-cli.js';

const ID = randomBytes(3).toString('hex');
const NS = { sw: `smc-${ID}-sw`, vault: `smc-${ID}-vault`, a: `smc-${ID}-a`, b: `smc-${ID}-b`, c: `smc-${ID}-c` } as const;
type Host = 'vault' | 'a' | 'b' | 'c';
const IP: Record<Host, string> = { vault: '198.51.100.10', a: '198.51.100.21', b: '198.51.100.22', c: '198.51.100.31' };
const NAME: Record<Host, string> = { vault: 'vault-1', a: 'app-a', b: 'app-b', c: 'ops-c' };

const INTENT = `# chaos test: the vault is the crown jewel; apps and ops call it
zones:
  - name: vault-net
    kind: internal
    cidrs: [${IP.vault}/32]
  - name: apps
    kind: internal
    cidrs: [${IP.a}/32, ${IP.b}/32]
  - name: ops
    kind: management
    cidrs: [${IP.c}/32]
crown_jewels:
  - name: vault
    match: [${IP.vault}]
    owner: security
    why: secrets
inventory:
${(Object.keys(IP) as Host[]).map((h) => `  - name: ${NAME[h]}\n    address: ${IP[h]}`).join('\n')}
`;

/** One client → jewel flow of the workload, and how to tell it worked. */
interface Flow {
  name: string;
  from: Host;
  proto: 'tcp' | 'udp';
  port: number;
}
const OBSERVED: Flow[] = [
  { name: 'app-a http', from: 'a', proto: 'tcp', port: 8080 },
  { name: 'app-b http', from: 'b', proto: 'tcp', port: 8080 },
  { name: 'app-a udp echo', from: 'a', proto: 'udp', port: 9999 },
  { name: 'ops-c tcp echo', from: 'c', proto: 'tcp', port: 9000 },
];
/** Never seen before the rules were made: must be blocked. */
const UNOBSERVED: Flow[] = [
  { name: 'ops-c http (a client not seen on this port)', from: 'c', proto: 'tcp', port: 8080 },
  { name: 'app-a tcp echo (a port not seen from this client)', from: 'a', proto: 'tcp', port: 9000 },
  { name: 'app-b udp echo', from: 'b', proto: 'udp', port: 9999 },
];
const flowKey = (f: { from: Host; proto: string; port: number }) => `${f.proto} ${IP[f.from]} > ${IP.vault}:${f.port}`;

const STEP_MS = 10_000;
const tmp = mkdtempSync(join(tmpdir(), 'sm-chaos-'));
const background: ChildProcess[] = [];
let t: TestApp;
let url: string;
const env = () => ({ SURFACEMAP_URL: url, SURFACEMAP_TOKEN: API_TOKEN });

// ---------- processes and namespaces ----------

function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: STEP_MS });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const ip = (...args: string[]) => must('ip', args);
const inNs = (ns: string, args: string[]) => must('ip', ['netns', 'exec', ns, ...args]);

/** Runs `args` in a namespace, bounded by `timeoutMs` (killed past it); resolves with what it did. */
function run(ns: string, args: string[], input: string, timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out, err: `${err}${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.on('error', () => undefined); // a client that exits before reading stdin (curl)
    child.stdin.end(input);
  });
}

function startInNs(ns: string, args: string[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  background.push(child);
  return child;
}

/** One attempt of a flow; true when the jewel answered. Bounded: connect 2 s, whole attempt 5 s. */
async function attempt(f: Flow, tag: string): Promise<boolean> {
  const token = `${tag}-${f.from}-${f.proto}-${f.port}`;
  const ns = NS[f.from];
  if (f.proto === 'tcp' && f.port === 8080) {
    const r = await run(ns, ['curl', '-sS', '--connect-timeout', '2', '--max-time', '4', `http://${IP.vault}:8080/hello.txt?${token}`], '', 5000);
    return r.code === 0 && r.out.includes('hello from the vault');
  }
  const target = f.proto === 'tcp' ? `TCP4:${IP.vault}:${f.port},connect-timeout=2` : `UDP4:${IP.vault}:${f.port}`;
  const r = await run(ns, ['socat', '-T', '2', '-', target], `${token}\n`, 5000);
  return r.out.includes(token);
}

/** Every flow once, in parallel; the set of flow keys that worked. */
async function workload(flows: readonly Flow[], tag: string): Promise<Set<string>> {
  const ok = await Promise.all(flows.map((f) => attempt(f, tag)));
  return new Set(flows.filter((_, i) => ok[i]).map(flowKey));
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function requireTools(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('the chaos test needs root (network namespaces, nft); CI runs it as root');
  for (const [tool, arg] of [['ip', '-V'], ['nft', '--version'], ['tcpdump', '--version'], ['socat', '-V'], ['curl', '--version'], ['python3', '--version']] as const) {
    const r = spawnSync(tool, [arg], { encoding: 'utf8', timeout: STEP_MS });
    if (r.error || r.status !== 0) throw new Error(`the chaos test needs ${tool} (Debian: iproute2, nftables, tcpdump, socat, curl, python3): ${r.error?.message ?? r.stderr}`);
  }
}

function buildNetwork(): void {
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    // IPv4 only: no router/neighbour chatter in the capture.
    inNs(ns, ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
  }
  ip('-n', NS.sw, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', NS.sw, 'link', 'set', 'br0', 'up');
  for (const h of Object.keys(IP) as Host[]) {
    ip('-n', NS.sw, 'link', 'add', `p-${h}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS[h]);
    ip('-n', NS.sw, 'link', 'set', `p-${h}`, 'master', 'br0', 'up');
    ip('-n', NS[h], 'addr', 'add', `${IP[h]}/24`, 'dev', 'eth0');
    ip('-n', NS[h], 'link', 'set', 'eth0', 'up');
  }
}

async function startServers(): Promise<void> {
  const www = join(tmp, 'www');
  must('mkdir', ['-p', www]);
  writeFileSync(join(www, 'hello.txt'), 'hello from the vault\n');
  startInNs(NS.vault, ['python3', '-m', 'http.server', '8080', '--bind', IP.vault, '--directory', www]);
  startInNs(NS.vault, ['socat', `TCP4-LISTEN:9000,bind=${IP.vault},reuseaddr,fork`, 'PIPE']);
  startInNs(NS.vault, ['socat', `UDP4-RECVFROM:9999,bind=${IP.vault},fork`, 'PIPE']);
  await waitFor(
    () => {
      const ss = inNs(NS.vault, ['ss', '-Hltun']);
      return [':8080', ':9000', ':9999'].every((p) => ss.includes(`${IP.vault}${p}`));
    },
    STEP_MS,
    'the vault servers to listen',
  );
}

/** Loads an nftables file in the vault's namespace (replacing our table). */
function loadRules(file: string): void {
  inNs(NS.vault, ['nft', '-f', file]);
}

function cleanup(): void {
  for (const c of background) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const ns of Object.values(NS)) {
    // Anything still running inside our own namespaces was started by this test (or forked by it).
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: STEP_MS }).stdout ?? '';
    for (const pid of pids.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 1)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns], { timeout: STEP_MS });
}

// ---------- the API side ----------

interface Sim {
  denied: { src: string; dst: string; dport: number; proto: string; flows: number }[];
  denied_flows: number;
  admitted: number;
}

async function simulate(): Promise<Sim> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/simulate', headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Sim;
}

beforeAll(async () => {
  requireTools();
  try {
    buildNetwork();
    await startServers();
  } catch (err) {
    cleanup();
    throw err;
  }
  t = await buildTestApp('sm-chaos');
  writeFileSync(t.config.intentFile, INTENT);
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  cleanup();
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  expect(left).not.toContain(`smc-${ID}-`);
});

describe('chaos: allow-lists proven by enforcement in network namespaces', () => {
  const generated: string[] = [];

  it('observe: the workload works, is captured on the jewel, and is replayed into the server', async () => {
    expect(await workload(OBSERVED, 'warmup')).toEqual(new Set(OBSERVED.map(flowKey)));
    const pcap = join(tmp, 'vault.pcap');
    const dump = startInNs(NS.vault, ['tcpdump', '-i', 'eth0', '-n', '--immediate-mode', '-U', '-w', pcap, 'ip']);
    let dumpErr = '';
    dump.stderr!.on('data', (b: Buffer) => (dumpErr += b.toString()));
    await waitFor(() => /listening on eth0/.test(dumpErr), STEP_MS, 'tcpdump to listen');
    expect(await workload(OBSERVED, 'observed')).toEqual(new Set(OBSERVED.map(flowKey)));
    await new Promise((r) => setTimeout(r, 300)); // the last FIN/ACKs
    const exited = new Promise<number | null>((r) => dump.once('exit', (code) => r(code)));
    dump.kill('SIGINT');
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), STEP_MS))])).toBe(0);
    expect(dumpErr).toMatch(/^0 packets dropped by kernel$/m);
    const captured = /^(\d+) packets captured$/m.exec(dumpErr);
    expect(Number(captured?.[1])).toBeGreaterThan(20);
    expect(dumpErr).toContain(`\n${captured![1]} packets received by filter`);

    const r = await runCli(['replay', pcap, '--collector', url, '--agent', 'chaos', '--spool', join(tmp, 'spool')], { SURFACEMAP_AGENT_TOKEN: AGENT_TOKEN });
    expect(r.code, r.stderr).toBe(0);
    const edges = await t.app.inject({ method: 'GET', url: '/api/v1/edges?jewel=vault', headers: { authorization: `Bearer ${API_TOKEN}` } });
    const seen = new Set((edges.json() as { edges: { src: string; dst: string; dport: number; proto: string }[] }).edges.map((e) => `${e.proto} ${e.src} > ${e.dst}:${e.dport}`));
    expect(seen).toEqual(new Set(OBSERVED.map(flowKey)));
  });

  it('enforce: the generated nftables rules keep every observed flow working and block new ones', async () => {
    const file = join(tmp, 'vault-full.nft');
    const r = await runCli(['export', 'allowlist', '--jewel', 'vault', '--format', 'nftables', '--out', file, '--owner', 'security'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/surfacemap: 3 rules for crown jewel vault \(observed\)/);
    loadRules(file);
    const listed = inNs(NS.vault, ['nft', 'list', 'table', 'inet', 'surfacemap']);
    for (const id of ['vault-tcp-8080-from-apps', 'vault-tcp-9000-from-ops', 'vault-udp-9999-from-apps']) {
      expect(listed).toContain(`comment "${id} | security | `);
      generated.push(id);
    }

    const worked = await workload([...OBSERVED, ...UNOBSERVED], 'enforced');
    expect(worked).toEqual(new Set(OBSERVED.map(flowKey)));
    // The drops are the rules' doing: the final counter saw them.
    const after = inNs(NS.vault, ['nft', 'list', 'chain', 'inet', 'surfacemap', 'input']);
    const dropped = /counter packets (\d+) bytes \d+ log prefix "surfacemap drop: " drop/.exec(after);
    expect(Number(dropped?.[1] ?? 0)).toBeGreaterThanOrEqual(UNOBSERVED.length);
  });

  it('simulation agrees with enforcement: with each rule removed, the denied flows are exactly the ones that fail', async () => {
    const gen = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rules/generate',
      headers: { authorization: `Bearer ${API_TOKEN}` },
      payload: { jewel: 'vault', owner: 'security', reason: 'chaos test', save: true },
    });
    expect(gen.statusCode, gen.body).toBe(200);
    const rules = (gen.json() as { rules: { id: string }[] }).rules;
    expect(rules.map((x) => x.id).sort()).toEqual([...generated].sort());
    const full = await simulate();
    expect(full.denied_flows).toBe(0);

    for (const removed of rules) {
      await t.app.intent.upsertRules((gen.json() as { rules: never[] }).rules);
      await t.app.intent.deleteRules([removed.id]);
      const sim = await simulate();
      const predicted = new Set(sim.denied.map((d) => `${d.proto} ${d.src} > ${d.dst}:${d.dport}`));
      expect(predicted.size, `${removed.id}: the simulator denies something`).toBeGreaterThan(0);

      // `surfacemap check` on the intent file says the same and exits 1.
      const check = await runCli(['check', t.config.intentFile], env());
      expect(check.code, check.stderr + check.stdout).toBe(1);
      expect(check.stdout).toContain(`${sim.denied_flows} observed flow${sim.denied_flows === 1 ? '' : 's'} would be denied`);

      const file = join(tmp, `vault-without-${removed.id}.nft`);
      const r = await runCli(['export', 'allowlist', '--jewel', 'vault', '--source', 'intent', '--format', 'nftables', '--out', file], env());
      expect(r.code, r.stderr).toBe(0);
      loadRules(file);
      const worked = await workload(OBSERVED, `without-${removed.id}`);
      const failed = new Set(OBSERVED.map(flowKey).filter((k) => !worked.has(k)));
      expect(failed, `rule ${removed.id} removed`).toEqual(predicted);
    }
    inNs(NS.vault, ['nft', 'delete', 'table', 'inet', 'surfacemap']);
    expect(await workload([...OBSERVED, ...UNOBSERVED], 'unprotected')).toEqual(new Set([...OBSERVED, ...UNOBSERVED].map(flowKey)));
  });
});
