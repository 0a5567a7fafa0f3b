import type { Command } from 'commander';
import { readPlanFile } from '../../rollout/plan-file.js';
import { rollbackRun } from '../../rollout/rollback.js';
import { appliedFlows } from '../../rollout/applied-flows.js';
import { confirm, requireConfirmable } from '../confirm.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { assertWritableDir } from '../fs-errors.js';
import { InFlightJobs, rolloutStopReporter } from '../in-flight.js';
import { createProgress } from '../progress.js';
import { DEFAULT_LIMITS } from '../../client/options.js';
import { addRunsOption, resolveRun, runsRootFor } from '../run-arg.js';
import { addFormatOption, outputFormat } from '../report-output.js';
import { openRolloutSession } from '../rollout-session.js';
import { runAndReport } from '../run-command.js';
import { JOB_TIMEOUT_HELP, parseConcurrency, parseJobTimeout } from './apply.js';

export function register(program: Command, ctx: CommandContext): void {
  addJsonOption(
    addFormatOption(addRunsOption(program
      .command('rollback')
      .description('restore every flow a run changed to its backed-up YAML (journaled, resumable)')
      .argument('<run>', 'a run id (see flowlink status) or the plan file of the run')
      .option('--flow <id...>', 'only these flows (repeatable)')
      .option('--concurrency <n>', 'import jobs in flight at once, or auto', parseConcurrency, 'auto' as const)
      .option('--job-timeout <seconds>', JOB_TIMEOUT_HELP, parseJobTimeout)
      .option('-y, --yes', 'do not ask for confirmation'))),
  ).action(async (run: string, options: { flow?: string[]; concurrency: number | 'auto'; jobTimeout?: number; yes?: boolean; json?: boolean; runs?: string; format?: string }) => {
    const { io } = ctx;
    const format = outputFormat(options);
    const runDir = resolveRun(run, io.host.cwd, runsRootFor(io.host.cwd, options.runs, true));
    const plan = readPlanFile(runDir.planPath);
    const count = options.flow?.length ?? appliedFlows(plan, runDir).length;
    if (count === 0) throw new CliError(`run ${runDir.runId} changed no flow: nothing to roll back`, EXIT.USAGE);
    requireConfirmable(ctx, 'rollback', options.yes === true);
    assertWritableDir(runDir.path);
    const { api: sessionApi } = await openRolloutSession(ctx, plan);
    const jobTimeout = options.jobTimeout === undefined ? {} : { jobTimeoutMs: options.jobTimeout * 1000 };
    if (!(await confirm(ctx, `Roll back ${count} flow(s) of run ${runDir.runId} in ${plan.environment}?`, options.yes === true))) {
      io.err('flowlink: not rolled back');
      ctx.setExit(EXIT.USAGE);
      return;
    }
    const inFlight = new InFlightJobs();
    const api = inFlight.wrap(sessionApi);
    const names = new Map(plan.flows.map((flow) => [flow.id, flow.name]));
    ctx.setStopReporter(rolloutStopReporter(io, inFlight, { journalPath: () => runDir.rollbackJournalPath, names, resume: ['rollback', run, ...(options.flow ?? []).flatMap((id) => ['--flow', id])] }));
    const progress = createProgress(io, count, 'rollback', { requestsPerMinute: DEFAULT_LIMITS.requestsPerMinute, requests: () => api.stats().requests });
    await runAndReport(ctx, {
      runDir, format, json: options.json === true, resume: ['rollback', run],
      stop: () => {
        progress.stop();
        ctx.setStopReporter(undefined);
      },
    }, () => rollbackRun({
      ...jobTimeout,
      api, runDir, concurrency: options.concurrency, signal: ctx.signal, onEvent: progress.onEvent,
      ...(options.flow ? { flowIds: options.flow } : {}),
    }));
  });
}
