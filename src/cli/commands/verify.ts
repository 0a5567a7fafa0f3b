import type { Command } from 'commander';
import { readPlanFile } from '../../rollout/plan-file.js';
import { verifyRun } from '../../rollout/verify.js';
import { cliErrorFromApi } from '../connection.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { addRunsOption, resolveRun, runsRootFor } from '../run-arg.js';
import { addFormatOption, outputFormat, printRunMarkdown } from '../report-output.js';
import { openRolloutSession } from '../rollout-session.js';
import { printRunSummary } from '../run-summary.js';

export function register(program: Command, ctx: CommandContext): void {
  addJsonOption(
    addFormatOption(addRunsOption(
      program
        .command('verify')
        .description('check every applied flow: version advanced, published YAML as planned, listed by dependency tracking')
        .argument('<run>', 'the plan file or a run id')
        .option('--dependency-attempts <n>', 'how often to ask dependency tracking while it lags', (v) => Math.max(1, Number.parseInt(v, 10) || 1), 10),
    )),
  ).action(async (run: string, options: { json?: boolean; dependencyAttempts: number; runs?: string; format?: string }) => {
    const format = outputFormat(options);
    const runDir = resolveRun(run, ctx.io.host.cwd, runsRootFor(ctx.io.host.cwd, options.runs, true));
    const plan = readPlanFile(runDir.planPath);
    const { api } = await openRolloutSession(ctx, plan);
    let result;
    try {
      result = await verifyRun({ api, runDir, dependencyAttempts: options.dependencyAttempts });
    } catch (error) {
      throw cliErrorFromApi(error);
    }
    if (format === 'markdown') printRunMarkdown(ctx, result.report, runDir, false);
    else printRunSummary(ctx, result.report, runDir, options.json === true, false);
    if (result.drift) ctx.setExit(EXIT.DRIFT);
  });
}
