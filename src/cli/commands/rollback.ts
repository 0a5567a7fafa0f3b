import type { Command } from 'commander';
import { readPlanFile } from '../../rollout/plan-file.js';
import { rollbackRun } from '../../rollout/rollback.js';
import { appliedFlows } from '../../rollout/applied-flows.js';
import { confirm } from '../confirm.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { createProgress } from '../progress.js';
import { addRunsOption, resolveRun, runsRootFor } from '../run-arg.js';
import { addFormatOption, outputFormat, printRunMarkdown } from '../report-output.js';
import { openRolloutSession } from '../rollout-session.js';
import { exitForReport, printRunSummary } from '../run-summary.js';
import { JOB_TIMEOUT_HELP, parseConcurrency, parseJobTimeout } from './apply.js';

export function register(program: Command, ctx: CommandContext): void {
  addJsonOption(
    addFormatOption(addRunsOption(program
      .command('rollback')
      .description('restore every flow a run changed to its backed-up YAML (journaled, resumable)')
      .argument('<run>', 'a run id (see flowlink status) or the plan file of the run')
      .option('--flow <id...>', 'only these flows (repeatable)')
      .option('--concurrency <n>', 'flows in flight at once, or auto', parseConcurrency, 'auto' as const)
      .option('--job-timeout <seconds>', JOB_TIMEOUT_HELP, parseJobTimeout)
      .option('-y, --yes', 'do not ask for confirmation'))),
  ).action(async (run: string, options: { flow?: string[]; concurrency: number | 'auto'; jobTimeout?: number; yes?: boolean; json?: boolean; runs?: string; format?: string }) => {
    const { io } = ctx;
    const format = outputFormat(options);
    const runDir = resolveRun(run, io.host.cwd, runsRootFor(io.host.cwd, options.runs, true));
    const plan = readPlanFile(runDir.planPath);
    const count = options.flow?.length ?? appliedFlows(plan, runDir).length;
    if (count === 0) throw new CliError(`run ${runDir.runId} changed no flow: nothing to roll back`, EXIT.USAGE);
    const { api } = await openRolloutSession(ctx, plan, options.jobTimeout === undefined ? {} : { jobTimeoutMs: options.jobTimeout * 1000 });
    if (!(await confirm(ctx, `Roll back ${count} flow(s) of run ${runDir.runId} in ${plan.environment}?`, options.yes === true))) {
      io.err('flowlink: not rolled back');
      ctx.setExit(EXIT.USAGE);
      return;
    }
    const progress = createProgress(io, count, 'rollback');
    const result = await rollbackRun({
      api, runDir, concurrency: options.concurrency, signal: ctx.signal, onEvent: progress.onEvent,
      ...(options.flow ? { flowIds: options.flow } : {}),
    });
    progress.stop();
    if (format === 'markdown') printRunMarkdown(ctx, result.report, runDir, result.interrupted, result.stopReason);
    else printRunSummary(ctx, result.report, runDir, options.json === true, result.interrupted, result.stopReason);
    ctx.setExit(exitForReport(result.report, result.interrupted, result.stopReason));
  });
}
