// The flow-table, sampling and detection options shared by `flows`, `replay` and `agent`, and the
// argument parsers the commands use.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_FLOW_TABLE_OPTIONS } from '../agent/flows/flow-table.js';
import type { PipelineOptions } from '../agent/pipeline.js';

export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    return n;
  };
}

export function positiveNumber(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`must be ${what} > 0`);
    return n;
  };
}

export const seconds = positiveNumber('a number of seconds');

/** --collector, --token, --agent, --spool, --spool-max-mb, --batch-records. */
/** The flow-table and detection options of `flows`. */
export function addFlowOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--max-flows <n>', 'hard cap on flows held in memory; the least recently seen is exported early past it').argParser(positiveInt('--max-flows')).default(DEFAULT_FLOW_TABLE_OPTIONS.maxFlows))
    .addOption(new Option('--idle-tcp <s>', 'TCP inactivity timeout, seconds').argParser(seconds).default(DEFAULT_FLOW_TABLE_OPTIONS.idleTcpS))
    .addOption(new Option('--idle-udp <s>', 'UDP inactivity timeout, seconds').argParser(seconds).default(DEFAULT_FLOW_TABLE_OPTIONS.idleUdpS))
    .addOption(new Option('--idle-icmp <s>', 'ICMP inactivity timeout, seconds').argParser(seconds).default(DEFAULT_FLOW_TABLE_OPTIONS.idleIcmpS))
    .addOption(new Option('--active-timeout <s>', 'export long flows every this many seconds').argParser(seconds).default(DEFAULT_FLOW_TABLE_OPTIONS.activeTimeoutS))
    .addOption(new Option('--sample <n>', 'keep 1 in N packets at random; counters are scaled by N').argParser(positiveInt('--sample')).default(1))
    .option('--no-detect', 'skip protocol, encryption and auth detection (no app/auth/encryption labels)');
}

/** --decode-thread, for the commands that read capture files (`flows`, `replay`). */
export function addDecodeThreadOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--decode-thread <when>', 'read and decode files on a second thread: auto (files of 64 MB and more), on, off').choices(['auto', 'on', 'off']).default('auto'),
  );
}

export interface FlowFlags {
  maxFlows: number;
  idleTcp: number;
  idleUdp: number;
  idleIcmp: number;
  activeTimeout: number;
  sample: number;
  detect: boolean;
  decodeThread?: string;
}

export function pipelineOptions(o: FlowFlags): PipelineOptions {
  return {
    maxFlows: o.maxFlows,
    idleTcpS: o.idleTcp,
    idleUdpS: o.idleUdp,
    idleIcmpS: o.idleIcmp,
    activeTimeoutS: o.activeTimeout,
    sampling: o.sample,
    detect: o.detect,
    ...(o.decodeThread === 'on' ? { decodeWorker: true } : o.decodeThread === 'off' ? { decodeWorker: false } : {}),
  };
}

