import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('demo')
    .description('(demo is being built)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('flowlink demo is not available in this build');
    });
}
