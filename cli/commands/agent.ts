// `surfacemap agent --iface IF --collector URL --token T`: live capture → flows → the collector, through
// the disk spool. SIGINT/SIGTERM: flush the flow table and the open batch to the spool, try to send for
// a few seconds (--shutdown-wait), exit 0; what did not go out is sent by the next run.
import { Command, Option } from 'commander';
import { DEFAULT_SNAPLEN } from '../../agent/capture/live.js';
import { addFlowOptions, pipelineOptions, positiveInt, positiveNumber, type FlowFlags } from '../flow-options.js';
import {
  addShipOptions, describeShipping, EXIT_REFUSED, EXIT_USAGE, resolveShipTarget, say, type ShipFlags,
} from './replay.js';

interface AgentFlags extends ShipFlags, FlowFlags {
  iface?: string;
  list?: boolean;
  filter?: string;
  snaplen: number;
  bufferMb?: number;
  shutdownWait: number;
  statusEvery: number;
}

export function agentCommand(): Command {
  const cmd = new Command('agent')
    .description('Capture live traffic (libpcap), turn it into flow records and send them to a collector')
    .addOption(new Option('--iface <name>', 'interface to capture on (`any` for all); see --list'))
    .option('--list', 'list the interfaces libpcap can capture on, and exit')
    .addOption(new Option('--filter <bpf>', 'capture filter in pcap-filter(7) syntax, e.g. "not port 7070"'))
    .addOption(new Option('--snaplen <bytes>', 'bytes kept per packet').argParser(positiveInt('--snaplen', 262_144)).default(DEFAULT_SNAPLEN))
    .addOption(new Option('--buffer-mb <mb>', 'kernel capture ring size, MiB (default 32)').argParser(positiveInt('--buffer-mb', 2047)))
    .addOption(new Option('--shutdown-wait <s>', 'on SIGINT/SIGTERM, keep sending this long before leaving the rest in the spool').argParser(positiveNumber('a number of seconds')).default(5))
    .addOption(new Option('--status-every <s>', 'print a status line this often').argParser(positiveNumber('a number of seconds')).default(60));
  addShipOptions(cmd);
  addFlowOptions(cmd);
  return cmd.action(async (o: AgentFlags) => {
    // live.ts loads the native binding only when used, so importing it here is cheap.
    const { listInterfaces } = await import('../../agent/capture/live.js');
    if (o.list) {
      let ifaces;
      try {
        ifaces = listInterfaces();
      } catch (err) {
        say((err as Error).message);
        process.exitCode = 1;
        return;
      }
      for (const i of ifaces) {
        process.stdout.write(`${i.name}${i.loopback ? ' (loopback)' : ''}${i.addresses.length ? `  ${i.addresses.join(' ')}` : ''}${i.description ? `  ${i.description}` : ''}\n`);
      }
      return;
    }
    if (!o.iface) {
      say('no interface: pass --iface NAME (`surfacemap agent --list` shows them)');
      process.exitCode = EXIT_USAGE;
      return;
    }
    const target = resolveShipTarget(o);
    if (typeof target === 'string') {
      say(target);
      process.exitCode = EXIT_USAGE;
      return;
    }
    const { startLiveAgent } = await import('../../agent/ship/ship-live.js');
    let agent;
    try {
      agent = startLiveAgent({
        ...pipelineOptions(o),
        ...target,
        iface: o.iface,
        filter: o.filter,
        snaplen: o.snaplen,
        bufferSizeMb: o.bufferMb,
        shutdownWaitMs: o.shutdownWait * 1000,
        statusEveryMs: o.statusEvery * 1000,
      });
    } catch (err) {
      say((err as Error).message);
      process.exitCode = EXIT_USAGE;
      return;
    }
    say(`capturing on ${o.iface}${o.filter ? ` (filter "${o.filter}")` : ''} as agent "${target.agent}"; sending to ${target.collector}; spool ${target.spoolDir}`);

    const finish = (summary: Awaited<ReturnType<typeof agent.stop>>, signalled: boolean) => {
      say(
        `packets ${summary.packets}, kernel drops ${summary.dropped}, flow records ${summary.flows.emitted} ` +
          `(peak table ${summary.flows.peakActive}, evicted ${summary.flows.evicted})`,
      );
      const { lines, exitCode } = describeShipping(summary, target);
      for (const l of lines) say(l);
      // A signal is the normal way to stop: exit 0 even with batches left (they are kept in the spool).
      let code = signalled ? (exitCode === EXIT_REFUSED ? EXIT_REFUSED : 0) : exitCode;
      if (summary.captureError !== null) code = 1;
      // The capture handle's poll watcher can keep the loop alive until the next packet: exit explicitly.
      process.exit(code);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      say(`${signal}: flushing flows to the spool and sending for up to ${o.shutdownWait} s`);
      void agent.stop().then((s) => finish(s, true));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    void agent.ended.then((s) => finish(s, false));
  });
}
