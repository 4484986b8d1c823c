// The one CLI entry point: `surfacemap <command>`.
import { Command } from 'commander';
import { flowsCommand } from './commands/flows.js';
import { startCommand } from './commands/start.js';

const program = new Command('surfacemap')
  .description('What talks to what: packets → flows → trust-boundary crossings')
  .version('0.1.0')
  .showHelpAfterError()
  .addCommand(flowsCommand())
  .addCommand(startCommand());

await program.parseAsync(process.argv);
