import type { RunReport } from '../rollout/reports.js';
import type { RunDir } from '../rollout/run-dir.js';
import type { CommandContext } from './context.js';
import { EXIT, type ExitCode } from './errors.js';
import { forTerminal } from '../shared/terminal-text.js';
import { FAILING_STATES } from '../rollout/states.js';
import type { RunStopReason } from '../rollout/errors.js';

const FAILED_STATES = FAILING_STATES;

/** The reports could not be saved in the run directory (verify): why, and where they were kept instead. */
export interface ReportProblem {
  message: string;
  keptIn?: string;
}

/** Result lines (stdout) and where the reports are (stderr); the report itself with --json. */
export function printRunSummary(
  ctx: CommandContext, report: RunReport, runDir: RunDir, json: boolean, interrupted: boolean, stopReason?: string, reportProblem?: ReportProblem,
): void {
  const { io } = ctx;
  if (json) {
    io.outJson({
      ...report, interrupted, ...(stopReason ? { stopReason } : {}), runDir: runDir.path,
      ...(reportProblem ? { reportError: reportProblem.message, ...(reportProblem.keptIn ? { reportsKeptIn: reportProblem.keptIn } : {}) } : {}),
    });
    return;
  }
  io.out(`${report.command} ${report.runId}: ${Object.entries(report.counts).map(([state, n]) => `${state} ${n}`).join(', ')}`);
  for (const flow of report.flows) {
    if (FAILED_STATES.has(flow.state) || flow.state === 'DRIFT') {
      io.out(`  ${flow.state} ${forTerminal(flow.name)} (${flow.id}): ${forTerminal(flow.error ?? flow.reason ?? '')}`);
    }
  }
  if (stopReason) io.err(`flowlink: ${forTerminal(stopReason)}`);
  if (interrupted) io.err(`flowlink: the run was interrupted; run the same command again to resume (flowlink status ${report.runId})`);
  if (reportProblem) {
    const kept = reportProblem.keptIn ? `; they are in ${reportProblem.keptIn}` : '';
    io.err(`flowlink: the ${report.command} reports could not be saved in the run directory: ${reportProblem.message}${kept}`);
  } else {
    io.note(`flowlink: reports in ${runDir.path}`);
  }
}

/** Why a run stopped -> exit code: the one table (design.md exit codes). The org could not be got into: 5. */
const STOP_EXIT: Record<RunStopReason, ExitCode> = {
  auth: EXIT.AUTH,
  unreachable: EXIT.AUTH,
  'rate-limited': EXIT.FLOWS_FAILED,
  server: EXIT.FLOWS_FAILED,
  aborted: EXIT.FLOWS_FAILED,
};

export function exitForReport(report: RunReport, interrupted: boolean, stopKind?: RunStopReason): ExitCode {
  if (stopKind) return STOP_EXIT[stopKind];
  if (interrupted || report.flows.some((flow) => FAILING_STATES.has(flow.state))) return EXIT.FLOWS_FAILED;
  return EXIT.OK;
}
