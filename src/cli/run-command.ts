import type { RunStopReason } from '../rollout/errors.js';
import type { RunReport } from '../rollout/reports.js';
import type { RunDir } from '../rollout/run-dir.js';
import { shellArg } from '../shared/terminal-text.js';
import type { CommandContext } from './context.js';
import { CliError, EXIT } from './errors.js';
import { fsErrorMessage, isFsError } from './fs-errors.js';
import { printRunMarkdown } from './report-output.js';
import { exitForReport, printRunSummary } from './run-summary.js';

export interface RunOutcome {
  report: RunReport;
  interrupted: boolean;
  stopReason?: string;
  stopKind?: RunStopReason;
}

/**
 * The end of `apply` and `rollback`, which differ only in what they run: the run itself (a full disk or a run
 * directory gone read-only mid-run is one line with the command that resumes), the progress stopped, the summary
 * printed (text, markdown or JSON) and the exit code set.
 */
export async function runAndReport<R extends RunOutcome>(
  ctx: CommandContext,
  options: { runDir: RunDir; format: string; json: boolean; stop: () => void; resume: [command: string, arg: string] },
  run: () => Promise<R>,
): Promise<R> {
  let result: R;
  try {
    result = await run();
  } catch (error) {
    if (isFsError(error)) {
      const [command, arg] = options.resume;
      throw new CliError(`${fsErrorMessage(error)}; the ${command === 'apply' ? 'run' : command} stopped: fix this and run \`flowlink ${command} ${shellArg(arg)}\` again to resume`, EXIT.FLOWS_FAILED);
    }
    throw error;
  } finally {
    options.stop();
  }
  if (options.format === 'markdown') printRunMarkdown(ctx, result.report, options.runDir, result.interrupted, result.stopReason);
  else printRunSummary(ctx, result.report, options.runDir, options.json, result.interrupted, result.stopReason);
  ctx.setExit(exitForReport(result.report, result.interrupted, result.stopKind));
  return result;
}
