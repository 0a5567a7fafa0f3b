import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { readPlanFile } from '../../rollout/plan-file.js';
import { verifyRun } from '../../rollout/verify.js';
import { RunDir } from '../../rollout/run-dir.js';
import { writeFileDurably } from '../../rollout/durable-write.js';
import { cliErrorFromApi } from '../connection.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { fsErrorMessage, isFsError } from '../fs-errors.js';
import { addRunsOption, resolveRun, runsRootFor } from '../run-arg.js';
import { addFormatOption, outputFormat, printRunMarkdown } from '../report-output.js';
import { openRolloutSession } from '../rollout-session.js';
import { printRunSummary, type ReportProblem } from '../run-summary.js';

const REPORT_KINDS = ['json', 'csv', 'junit.xml'] as const;

/**
 * The run directory, except that verify's reports are first written to a staging directory: verify does all its
 * reads before it writes its reports, and a run directory that cannot take them (read-only, full, not ours) must
 * not hide the result. The CLI then copies the reports into the run directory, and says so when it cannot.
 */
class StagedReportsRunDir extends RunDir {
  constructor(real: RunDir, readonly staging: string) {
    super(real.root, real.runId);
  }

  override reportPath(kind: 'json' | 'csv' | 'junit.xml', command: 'apply' | 'rollback' | 'verify' = 'apply'): string {
    return join(this.staging, basename(super.reportPath(kind, command)));
  }
}

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
    const staging = mkdtempSync(join(tmpdir(), 'flowlink-verify-'));
    const staged = new StagedReportsRunDir(runDir, staging);
    let result;
    try {
      result = await verifyRun({ api, runDir: staged, dependencyAttempts: options.dependencyAttempts });
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw cliErrorFromApi(error);
    }
    const problem = saveReports(staged, runDir);
    if (format === 'markdown') printRunMarkdown(ctx, result.report, runDir, false, undefined, problem);
    else printRunSummary(ctx, result.report, runDir, options.json === true, false, undefined, problem);
    // The result stands (drift is 4); a report that could not be saved is a local problem to fix (2).
    if (problem) ctx.setExit(EXIT.USAGE);
    if (result.drift) ctx.setExit(EXIT.DRIFT);
  });
}

/** Copies the staged reports into the run directory; on a file-system failure keeps them where they are. */
function saveReports(staged: StagedReportsRunDir, runDir: RunDir): ReportProblem | undefined {
  try {
    for (const kind of REPORT_KINDS) {
      const from = staged.reportPath(kind, 'verify');
      writeFileDurably(runDir.reportPath(kind, 'verify'), readFileSync(from));
    }
  } catch (error) {
    if (!isFsError(error)) throw error;
    return { message: fsErrorMessage(error), keptIn: staged.staging };
  }
  rmSync(staged.staging, { recursive: true, force: true });
  return undefined;
}
