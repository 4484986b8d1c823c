// `surfacemap check POLICY.yaml`: policy-as-code in CI. Sends the policy to a running server
// (POST /api/v1/simulate), which replays the observed range against its rules. Exit 0 when no observed
// flow would be denied; 1 when some would (printed, grouped by destination); 2 on usage errors, a
// policy with errors (the server names the line), or a server that cannot be reached or refuses.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  addApiOptions,
  apiFetch,
  ApiUnreachableError,
  errorMessage,
  EXIT_USAGE,
  humanBytes,
  rangeParams,
  resolveApiTarget,
  say,
  usageExit2,
  type ApiFlags,
} from '../api-client.js';

export const EXIT_DENIED = 1;
const WEEK_S = 7 * 86_400;

/** NOTE: the part of POST /api/v1/simulate's answer printed here (docs/api.md "Exports"). */
interface Denied {
  src: string;
  src_name: string | null;
  dst: string;
  dst_name: string | null;
  dport: number;
  proto: string;
  app: string | null;
  flows: number;
  bytes: number;
  reason: string;
}
interface SimulateAnswer {
  from: string;
  to: string;
  rules: number;
  admitted: number;
  denied_flows: number;
  out_of_scope: number;
  denied: Denied[];
}

interface CheckFlags extends ApiFlags {
  json?: boolean;
}

const label = (ip: string, name: string | null) => (name ? `${name} (${ip})` : ip);
const port = (d: Denied) => (d.proto === 'icmp' || d.proto === 'icmp6' ? d.proto : `${d.proto}/${d.dport}`);

/** Lines for the denied groups, grouped by destination, busiest first. */
export function describeDenied(denied: readonly Denied[]): string[] {
  const byDst = new Map<string, Denied[]>();
  for (const d of denied) {
    const k = label(d.dst, d.dst_name);
    const list = byDst.get(k);
    if (list) list.push(d);
    else byDst.set(k, [d]);
  }
  const lines: string[] = [];
  const total = (ds: Denied[]) => ds.reduce((n, d) => n + d.flows, 0);
  for (const [dst, ds] of [...byDst].sort((a, b) => total(b[1]) - total(a[1]) || (a[0] < b[0] ? -1 : 1))) {
    lines.push(`${dst}: ${total(ds)} flow${total(ds) === 1 ? '' : 's'} denied`);
    for (const d of ds) {
      lines.push(
        `  ${port(d).padEnd(10)} from ${label(d.src, d.src_name)}${d.app && d.app !== 'unknown' ? ` [${d.app}]` : ''}: ` +
          `${d.flows} flow${d.flows === 1 ? '' : 's'}, ${humanBytes(d.bytes)} (${d.reason})`,
      );
    }
  }
  return lines;
}

export function checkCommand(): Command {
  const cmd = new Command('check')
    .description('Simulate a policy file against observed traffic: exit 0 when no observed flow would be denied, 1 when some would (for CI)')
    .argument('<policy>', 'a YAML policy: an intent file, or a file with just `rules:` naming the server\'s jewels and zones')
    .option('--json', "print the server's simulation result as JSON");
  addApiOptions(cmd, '7d');
  usageExit2(cmd);
  return cmd.action(async (policy: string, o: CheckFlags) => {
    const fail = (line: string) => {
      say(line);
      process.exitCode = EXIT_USAGE;
    };
    let text: string;
    try {
      text = readFileSync(policy, 'utf8');
    } catch (err) {
      return fail(`cannot read ${policy}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const target = resolveApiTarget(o);
    if (typeof target === 'string') return fail(target);
    const range = rangeParams(o, WEEK_S);
    if (typeof range === 'string') return fail(range);

    let res: Response;
    try {
      res = await apiFetch(target, `/api/v1/simulate?${new URLSearchParams(range)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/yaml; charset=utf-8' },
        body: text,
      });
    } catch (err) {
      if (err instanceof ApiUnreachableError) return fail(err.message);
      throw err;
    }
    if (!res.ok) {
      // Policy errors come back as `line L:C path: message`, one per line: point them at the file.
      const msg = await errorMessage(res);
      if (res.status === 400 && /(^|: )line \d+:\d+ /.test(msg)) {
        say(`${policy} is not a valid policy:`);
        for (const l of msg.replace(/^400 Bad Request: /, '').split('\n')) process.stderr.write(`${l.replace(/^line (\d+):(\d+) /, `${policy}:$1:$2 `)}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      return fail(msg);
    }
    const r = (await res.json()) as SimulateAnswer;
    if (o.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    const head = `${policy} (${r.rules} rule${r.rules === 1 ? '' : 's'}) against ${r.from} to ${r.to}`;
    if (r.denied_flows === 0) {
      say(`${head}: no observed flow would be denied (${r.admitted} admitted, ${r.out_of_scope} out of the rules' scope)`);
      if (r.rules === 0) say('the policy has no rules: it protects nothing');
      process.exitCode = 0;
      return;
    }
    if (!o.json) {
      process.stdout.write(
        `${head}: ${r.denied_flows} observed flow${r.denied_flows === 1 ? '' : 's'} would be denied ` +
          `(${r.denied.length} group${r.denied.length === 1 ? '' : 's'}; ${r.admitted} admitted, ${r.out_of_scope} out of scope)\n`,
      );
      for (const line of describeDenied(r.denied)) process.stdout.write(`${line}\n`);
    }
    process.exitCode = EXIT_DENIED;
  });
}
