// The one CLI entry point: `surfacemap <command>`.
import { Command } from 'commander';
import { flowsCommand } from './commands/flows.js';

const program = new Command('surfacemap')
  .description('What talks to what: packets → flows → trust-boundary crossings')
  .version('0.1.0')
  .showHelpAfterError()
  .addCommand(flowsCommand());

await program.parseAsync(process.argv);
