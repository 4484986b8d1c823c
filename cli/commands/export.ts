// `surfacemap export spec|allowlist`: the procurement spec and allow-lists from a running server
// (GET /api/v1/export/*), to stdout or --out FILE. Exit 0 written; 1 the server refused (unknown
// jewel, bad token, …: its message is printed); 2 usage, or the server cannot be reached.
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  addApiOptions,
  apiFetch,
  ApiUnreachableError,
  errorMessage,
  EXIT_USAGE,
  rangeParams,
  resolveApiTarget,
  say,
  usageExit2,
  type ApiFlags,
  type ApiTarget,
} from '../api-client.js';

export const EXIT_REFUSED = 1;
const WEEK_S = 7 * 86_400;

interface OutFlags extends ApiFlags {
  format: string;
  out?: string;
}

interface AllowlistFlags extends OutFlags {
  jewel?: string;
  zone?: string;
  source: string;
  aggregate?: string;
  owner?: string;
  reason?: string;
  expires?: string;
  hook?: string;
  selector?: string;
  namespace?: string;
  groupId?: string;
}

async function writeOut(body: Buffer, out: string | undefined): Promise<void> {
  if (out !== undefined) {
    writeFileSync(out, body);
    return;
  }
  await new Promise<void>((resolve, reject) => process.stdout.write(body, (err) => (err ? reject(err) : resolve())));
}

/** GET `path`, write the body; the exit code. `describe` turns the answer's headers into stderr lines. */
async function download(t: ApiTarget, path: string, out: string | undefined, describe: (h: Headers) => string[]): Promise<number> {
  let res: Response;
  try {
    res = await apiFetch(t, path);
  } catch (err) {
    if (err instanceof ApiUnreachableError) {
      say(err.message);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (!res.ok) {
    say(await errorMessage(res));
    return EXIT_REFUSED;
  }
  const body = Buffer.from(await res.arrayBuffer());
  try {
    await writeOut(body, out);
  } catch (err) {
    say(`cannot write ${out ?? 'stdout'}: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
  for (const line of describe(res.headers)) say(line);
  if (out !== undefined) say(`wrote ${body.length} bytes to ${out}`);
  return 0;
}

function prepare(o: ApiFlags): { target: ApiTarget; range: { from: string; to: string } } | null {
  const target = resolveApiTarget(o);
  if (typeof target === 'string') {
    say(target);
    process.exitCode = EXIT_USAGE;
    return null;
  }
  const range = rangeParams(o, WEEK_S);
  if (typeof range === 'string') {
    say(range);
    process.exitCode = EXIT_USAGE;
    return null;
  }
  return { target, range };
}

function specCommand(): Command {
  const cmd = new Command('spec')
    .description('The procurement spec: every boundary-crossing traffic pattern, a summary, requirements and observation completeness')
    .addOption(new Option('--format <format>', 'csv | xlsx | md').choices(['csv', 'xlsx', 'md']).makeOptionMandatory())
    .option('--out <file>', 'write to FILE instead of stdout');
  addApiOptions(cmd, '7d');
  usageExit2(cmd);
  return cmd.action(async (o: OutFlags) => {
    const p = prepare(o);
    if (!p) return;
    if (o.format === 'xlsx' && o.out === undefined && process.stdout.isTTY) {
      say('XLSX is a binary file: pass --out FILE (or redirect stdout)');
      process.exitCode = EXIT_USAGE;
      return;
    }
    const q = new URLSearchParams({ format: o.format, ...p.range });
    process.exitCode = await download(p.target, `/api/v1/export/spec?${q}`, o.out, (h) => [
      `${h.get('x-surfacemap-patterns') ?? '?'} boundary-crossing patterns, ${p.range.from} to ${p.range.to}`,
    ]);
  });
}

function allowlistCommand(): Command {
  const cmd = new Command('allowlist')
    .description('An allow-list for a crown jewel, a zone or everything: the tightest rules that admit every observed boundary-crossing flow')
    .addOption(new Option('--format <format>', 'nftables | k8s | cilium | aws | csv').choices(['nftables', 'k8s', 'cilium', 'aws', 'csv']).makeOptionMandatory())
    .addOption(new Option('--jewel <name>', 'rules around this crown jewel').conflicts('zone'))
    .option('--zone <name>', 'rules around this zone')
    .addOption(
      new Option('--source <source>', "observed: generate from the range's flows; intent: the intent YAML's rules").choices(['observed', 'intent']).default('observed'),
    )
    .addOption(new Option('--aggregate <how>', 'cidr: merge hosts into prefixes that cover exactly them').choices(['cidr']))
    .option('--owner <owner>', 'owner written into generated rules (default "unowned")')
    .option('--reason <text>', 'reason written into generated rules, before what was observed')
    .option('--expires <date>', 'expiry of generated rules (ISO date)')
    .addOption(new Option('--hook <hook>', 'nftables: input (on the protected host) or forward (on a firewall)').choices(['input', 'forward']))
    .option('--selector <labels>', 'k8s/cilium: pod labels of the protected workload, e.g. app=customer-db')
    .option('--namespace <ns>', 'k8s/cilium: metadata.namespace')
    .option('--group-id <sg>', 'aws: the security group id of the jewel or zone')
    .option('--out <file>', 'write to FILE instead of stdout');
  addApiOptions(cmd, '7d');
  usageExit2(cmd);
  return cmd.action(async (o: AllowlistFlags) => {
    const p = prepare(o);
    if (!p) return;
    const q = new URLSearchParams({ format: o.format, source: o.source, ...p.range });
    const opt: [string, string | undefined][] = [
      ['jewel', o.jewel], ['zone', o.zone], ['aggregate', o.aggregate], ['owner', o.owner], ['reason', o.reason], ['expires', o.expires],
      ['hook', o.hook], ['selector', o.selector], ['namespace', o.namespace], ['group_id', o.groupId],
    ];
    for (const [k, v] of opt) if (v !== undefined) q.set(k, v);
    const scope = o.jewel !== undefined ? `crown jewel ${o.jewel}` : o.zone !== undefined ? `zone ${o.zone}` : 'every jewel and zone';
    process.exitCode = await download(p.target, `/api/v1/export/allowlist?${q}`, o.out, (h) => {
      const lines: string[] = [];
      try {
        const s = JSON.parse(h.get('x-surfacemap-sizing') ?? '') as { rules: number; distinct_addresses: number; distinct_cidrs: number; distinct_labels: number; ports: number };
        lines.push(
          `${s.rules} rules for ${scope} (${o.source}): ${s.distinct_addresses} addresses in ${s.distinct_cidrs} CIDRs, ${s.distinct_labels} names, ${s.ports} protocol/port entries`,
        );
      } catch {
        lines.push(`${h.get('x-surfacemap-rules') ?? '?'} rules for ${scope}`);
      }
      const n = Number(h.get('x-surfacemap-warnings') ?? 0);
      if (n > 0) lines.push(`${n} warning${n === 1 ? '' : 's'} (${h.get('x-surfacemap-warning-codes') ?? ''}): what ${o.format} cannot express; details in the file's comments or with the API's format=json`);
      return lines;
    });
  });
}

export function exportCommand(): Command {
  const cmd = new Command('export')
    .description('Files to act on, from a running server: the procurement spec and allow-lists')
    .addCommand(specCommand())
    .addCommand(allowlistCommand());
  return usageExit2(cmd);
}
