import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('plan')
    .description('(plan is being built)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('flowlink plan is not available in this build');
    });
}
