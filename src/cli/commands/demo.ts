import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startEmulator, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from '../../emulator/index.js';
import { runIdForPlan, readPlanFile } from '../../rollout/plan-file.js';
import type { CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { isTarget } from '../../rollout/states.js';

const MODULE = 'Global_Exception_Handler';
const PREFIX = 'Sales_Line_';

/**
 * The whole path on an embedded emulator with the demo org: list -> plan -> apply -> verify -> rollback, each step
 * run exactly as a user would type it (through the same `main`), with the emulator's address in the environment.
 */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description(`embedded emulator with a demo org, then list -> plan -> apply -> verify -> rollback of ${MODULE} into every ${PREFIX} flow`)
    .option('--dir <dir>', 'working directory for the plan and the run (default: a new temporary directory)')
    .option('--rate-limit <n>', 'the emulator\'s requests per minute per token (the demo runs faster than a real org)', '3000')
    .action(async (options: { dir?: string; rateLimit: string }) => {
      const { io } = ctx;
      const rateLimit = Number(options.rateLimit);
      if (!Number.isInteger(rateLimit) || rateLimit < 10) throw new CliError('--rate-limit must be a whole number >= 10', EXIT.USAGE);
      const cwd = options.dir ?? mkdtempSync(join(tmpdir(), 'flowlink-demo-'));
      const emulator = await startEmulator({ seed: 'demo', rateLimit, jobMs: 150, latencyMs: 5 });
      // Imported here, not at the top: main.ts imports this file, and a lazy import avoids the cycle at load time.
      const { main } = await import('../main.js');
      // The embedded emulator is on this machine's loopback, which no HTTP(S)_PROXY can reach: the demo goes direct.
      const env = { ...io.env, GENESYS_ENVIRONMENT: emulator.url, GENESYS_CLIENT_ID: DEFAULT_CLIENT_ID, GENESYS_CLIENT_SECRET: DEFAULT_CLIENT_SECRET, no_proxy: '*', NO_PROXY: '*' };
      const host = { ...io.host, env, cwd };
      const step = async (title: string, args: string[], okCodes: number[] = [0]): Promise<void> => {
        io.out('');
        io.out(io.color.bold(`== ${title}`));
        io.out(io.color.dim(`$ flowlink ${args.join(' ')}`));
        const code = await main(args, host, ctx.signal);
        if (!okCodes.includes(code)) throw new CliError(`demo step failed: flowlink ${args.join(' ')} exited ${code}`, EXIT.FLOWS_FAILED);
      };
      try {
        io.out(`flowlink demo: emulator at ${emulator.url} with the demo org (360 inbound flows, 4 common modules); working in ${cwd}`);
        await step(`1/6 list the ${PREFIX} flows and whether they call ${MODULE}`, ['list', '--prefix', PREFIX, '--module', MODULE]);
        await step('2/6 plan: classify every flow, compute each new YAML and its diff (nothing is written remotely)',
          ['plan', '--module', MODULE, '--prefix', PREFIX, '--out', 'plan.json', '--detailed-exitcode', '--no-diffs'], [3]);
        const plan = readPlanFile(join(cwd, 'plan.json'));
        const example = plan.flows.find((flow) => isTarget(flow.state) && flow.diff);
        if (example?.diff) {
          io.out('');
          io.out(`One flow's diff (all of them: flowlink plan without --no-diffs, or plan.json):`);
          for (const line of example.diff.replace(/\r/g, '').split('\n')) if (line && !line.startsWith('====') && !line.startsWith('Index:')) io.out(`    ${line}`);
        }
        const runId = runIdForPlan(plan);
        await step('3/6 apply the plan (journaled; backups first; locked and drafted flows are left alone)', ['apply', 'plan.json', '--yes']);
        await step('4/6 verify: version advanced, published YAML as planned, dependency tracking lists the flow', ['verify', 'plan.json']);
        await step('5/6 status of the run', ['status', runId]);
        await step('6/6 roll the whole run back, byte for byte', ['rollback', runId, '--yes']);
        io.out('');
        io.out(`flowlink demo: done. The run's journal, backups and reports are in ${join(cwd, '.flowlink', 'runs', runId)}`);
      } finally {
        await emulator.close();
      }
    });
}
