// The one CLI entry point: `surfacemap <command>`.
// Each command's module is imported only when that command runs: `flows` does not load fastify, chdb
// or exceljs (≈ 0.3 s of module loading, a sixth of a 2 M-packet replay). Help and unknown commands
// load them all, so `surfacemap --help` still lists every command with its description.
import { Command } from 'commander';

const COMMANDS: Record<string, () => Promise<Command>> = {
  flows: async () => (await import('./commands/flows.js')).flowsCommand(),
  start: async () => (await import('./commands/start.js')).startCommand(),
  replay: async () => (await import('./commands/replay.js')).replayCommand(),
  agent: async () => (await import('./commands/agent.js')).agentCommand(),
  export: async () => (await import('./commands/export.js')).exportCommand(),
  check: async () => (await import('./commands/check.js')).checkCommand(),
};

const program = new Command('surfacemap')
  .description('What talks to what: packets → flows → trust-boundary crossings')
  .version('0.1.0')
  .showHelpAfterError();

const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const cmd of await Promise.all(wanted.map((n) => COMMANDS[n]!()))) program.addCommand(cmd);

await program.parseAsync(process.argv);
