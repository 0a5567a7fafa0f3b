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
const SECOND = 'Compliance_Logging';
const PREFIX = 'Sales_Line_';

/**
 * The whole path on an embedded emulator with the demo org: list -> plan -> apply -> verify -> rollback, each step
 * run exactly as a user would type it (through the same `main`), with the emulator's address in the environment.
 */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description(`embedded emulator with a demo org; a module's life in every ${PREFIX} flow: add ${MODULE}, replace it by ${SECOND}, refresh, remove, roll back`)
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
        await step(`1/12 list the ${PREFIX} flows and whether they call ${MODULE}`, ['list', '--prefix', PREFIX, '--module', MODULE]);
        await step('2/12 plan: classify every flow, compute each new YAML and its diff (nothing is written remotely)',
          ['plan', '--module', MODULE, '--prefix', PREFIX, '--out', 'plan.json', '--detailed-exitcode', '--no-diffs'], [3]);
        const plan = readPlanFile(join(cwd, 'plan.json'));
        const example = plan.flows.find((flow) => isTarget(flow.state) && flow.diff);
        if (example?.diff) {
          io.out('');
          io.out(`One flow's diff (all of them: flowlink plan without --no-diffs, or plan.json):`);
          for (const line of example.diff.replace(/\r/g, '').split('\n')) if (line && !line.startsWith('====') && !line.startsWith('Index:')) io.out(`    ${line}`);
        }
        const runId = runIdForPlan(plan);
        await step('3/12 apply the plan (journaled; backups first; locked and drafted flows are left alone)', ['apply', 'plan.json', '--yes']);
        await step('4/12 verify: version advanced, published version means the planned YAML, dependency tracking lists the flow', ['verify', 'plan.json']);
        // The rest of a module's life: replace it by another, refresh after that one changes, remove it.
        const replaceArgs = ['--module', SECOND, '--replace', MODULE, '--input-lit', 'Common.reason=demo', '--prefix', PREFIX];
        await step(`5/12 plan: replace ${MODULE} by ${SECOND} at the same place in every flow that calls it`,
          ['plan', ...replaceArgs, '--out', 'replace.json', '--detailed-exitcode', '--no-diffs'], [3]);
        await step('6/12 apply and verify the replacement', ['apply', 'replace.json', '--yes']);
        await step('   verify', ['verify', 'replace.json']);
        io.out('');
        io.out(io.color.bold(`== 7/12 an admin fixes ${SECOND} and publishes it (emulator control plane): its consumers now embed an older version`));
        await republishModule(emulator.url, SECOND);
        await step(`8/12 plan: refresh the consumers of ${SECOND} that are STALE (republished unchanged)`,
          ['plan', '--module', SECOND, '--refresh', '--prefix', PREFIX, '--out', 'refresh.json', '--detailed-exitcode', '--no-diffs'], [3]);
        await step('9/12 apply the refresh', ['apply', 'refresh.json', '--yes']);
        await step(`10/12 plan: remove every call to ${SECOND}`,
          ['plan', '--module', SECOND, '--remove', '--prefix', PREFIX, '--out', 'remove.json', '--detailed-exitcode', '--no-diffs'], [3]);
        await step('11/12 apply and verify the removal', ['apply', 'remove.json', '--yes']);
        await step('   verify', ['verify', 'remove.json']);
        const removeRun = runIdForPlan(readPlanFile(join(cwd, 'remove.json')));
        await step('12/12 roll the removal back (the calls come back; proven by meaning against the backups)', ['rollback', removeRun, '--yes']);
        await step('   status of the first run', ['status', runId]);
        io.out('');
        io.out(`flowlink demo: done. Each run's journal, backups and reports are in ${join(cwd, '.flowlink', 'runs')}`);
      } finally {
        await emulator.close();
      }
    });
}

/** "An admin publishes a fix of the module": the emulator's control plane publishes its YAML again as a new version. */
async function republishModule(url: string, name: string): Promise<void> {
  const { createClient } = await import('../../client/index.js');
  const client = createClient({ environment: url, clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET });
  const module = await client.flows.findByName(name, 'commonmodule');
  if (!module?.publishedVersion) throw new CliError(`demo: module ${name} not found`, EXIT.FLOWS_FAILED);
  const [exported] = await client.exportJobs.exportFlows([{ id: module.id, version: module.publishedVersion.id }]);
  if (!exported?.ok) throw new CliError(`demo: could not export ${name}`, EXIT.FLOWS_FAILED);
  const response = await fetch(`${url}/__emulator/flows/${module.id}/state`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ publish: exported.yaml }),
  });
  if (!response.ok) throw new CliError(`demo: could not republish ${name} (${response.status})`, EXIT.FLOWS_FAILED);
}
