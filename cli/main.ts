// The one CLI entry point: `surfacemap <command>`.
import { Command } from 'commander';
import { flowsCommand } from './commands/flows.js';
import { startCommand } from './commands/start.js';
import { replayCommand } from './commands/replay.js';
import { agentCommand } from './commands/agent.js';
import { exportCommand } from './commands/export.js';
import { checkCommand } from './commands/check.js';

const program = new Command('surfacemap')
  .description('What talks to what: packets → flows → trust-boundary crossings')
  .version('0.1.0')
  .showHelpAfterError()
  .addCommand(flowsCommand())
  .addCommand(startCommand())
  .addCommand(replayCommand())
  .addCommand(agentCommand())
  .addCommand(exportCommand())
  .addCommand(checkCommand());

await program.parseAsync(process.argv);
