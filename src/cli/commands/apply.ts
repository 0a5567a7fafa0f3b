import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { applyPlanFile } from '../../rollout/apply.js';
import { planChange, readPlanFlows, type PlanFile } from '../../rollout/plan-file.js';
import { RunDir } from '../../rollout/run-dir.js';
import { confirm, requireConfirmable } from '../confirm.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { assertWritableDir } from '../fs-errors.js';
import { InFlightJobs, rolloutStopReporter } from '../in-flight.js';
import { createProgress } from '../progress.js';
import { DEFAULT_LIMITS } from '../../client/options.js';
import { openRolloutSession } from '../rollout-session.js';
import { runAndReport } from '../run-command.js';
import { addFormatOption, outputFormat } from '../report-output.js';
import { addRunsOption, runsRootFor } from '../run-arg.js';
import { describeChange, type Change } from '../../rollout/change.js';
import { isTarget } from '../../rollout/states.js';

export function parseConcurrency(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError(`--concurrency takes 1..64 or auto, got '${value}'`);
  return n;
}

/** `--job-timeout <seconds>`: how long one import job may run before apply/rollback give up on it. */
export function parseJobTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value.trim()) || seconds < 1 || seconds > 86_400) {
    throw new InvalidArgumentError(`--job-timeout takes whole seconds from 1 to 86400, got '${value}'`);
  }
  return seconds;
}

export const JOB_TIMEOUT_HELP = 'give up on an import job still running after this many seconds (default 600): the flow is reported failed, and re-read before any retry';

export function register(program: Command, ctx: CommandContext): void {
  const command = addJsonOption(
    program
      .command('apply')
      .description('apply a plan: journaled, resumable (run it again after an interruption)')
      .argument('<plan>', 'the plan file written by flowlink plan')
      .option('--concurrency <n>', 'import jobs in flight at once, or auto (up to 400 in flight, writers adapting to 429s and rate-limit headers)', parseConcurrency, 'auto' as const)
      .option('--job-timeout <seconds>', JOB_TIMEOUT_HELP, parseJobTimeout)
      .option('-y, --yes', 'do not ask for confirmation'),
  );
  addFormatOption(addRunsOption(command)).action(async (planArg: string, options: { concurrency: number | 'auto'; jobTimeout?: number; yes?: boolean; json?: boolean; format?: string; runs?: string }) => {
    const { io } = ctx;
    const format = outputFormat(options);
    const planPath = resolve(io.host.cwd, planArg);
    if (statSync(planPath, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`plan file ${planPath} is a directory, not a plan file`, EXIT.USAGE);
    // Read through and checked, keeping only what the command needs; applyPlanFile reads it again, flow by flow.
    const plan = summarisePlan(planPath);
    const targets = plan.targets;
    const runDir = new RunDir(runsRootFor(io.host.cwd, options.runs), plan.runId);
    if (targets === 0) {
      io.note('flowlink: the plan has no eligible flow: nothing to apply');
      if (options.json) io.outJson({ runId: null, counts: {}, flows: [] });
      if (format === 'markdown') io.out(`### flowlink apply: nothing to apply (the plan changes no flow)`);
      return;
    }
    // Refused before anything is asked of the org: nobody to confirm, or nowhere to keep the journal and backups.
    requireConfirmable(ctx, 'apply', options.yes === true);
    assertWritableDir(runDir.path);
    const { api: sessionApi } = await openRolloutSession(ctx, plan);
    const jobTimeout = options.jobTimeout === undefined ? {} : { jobTimeoutMs: options.jobTimeout * 1000 };
    const resuming = runDir.exists();
    if (!(await confirm(ctx, `${resuming ? 'Resume' : 'Apply'}: ${describeChange(plan.change)} ${targets} flow(s) in ${plan.environment}?`, options.yes === true))) {
      io.err('flowlink: not applied');
      ctx.setExit(EXIT.USAGE);
      return;
    }
    const inFlight = new InFlightJobs();
    const api = inFlight.wrap(sessionApi);
    ctx.setStopReporter(rolloutStopReporter(io, inFlight, { journalPath: () => runDir.journalPath, names: plan.names, resume: ['apply', planArg] }));
    const progress = createProgress(io, targets, resuming ? 'resume' : 'apply', { requestsPerMinute: DEFAULT_LIMITS.requestsPerMinute, requests: () => api.stats().requests });
    await runAndReport(ctx, {
      runDir, format, json: options.json === true, resume: ['apply', planArg],
      stop: () => {
        progress.stop();
        ctx.setStopReporter(undefined);
      },
    }, () => applyPlanFile(planPath, { api, runDir, ...jobTimeout, concurrency: options.concurrency, signal: ctx.signal, onEvent: progress.onEvent }));
  });
}

function summarisePlan(path: string): { runId: string; targets: number; environment: string; module: PlanFile['module']; change: Change; names: Map<string, string> } {
  // For naming the flows whose import job is in flight when a second Ctrl-C leaves at once: the targets' names.
  const { head, flows } = readPlanFlows(path, (flow) => (isTarget(flow.state) ? ([flow.id, flow.name] as const) : undefined));
  const targets = flows.filter((entry) => entry !== undefined);
  return {
    runId: head.runId,
    targets: targets.length,
    environment: head.header.environment,
    module: head.header.module,
    change: planChange(head.header),
    names: new Map(targets),
  };
}
