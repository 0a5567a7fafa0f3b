import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('list')
    .description('(list is being built)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('flowlink list is not available in this build');
    });
}
