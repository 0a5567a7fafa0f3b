import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { writeFileDurably } from '../rollout/durable-write.js';
import type { PlanFile } from '../rollout/plan-file.js';
import type { RunReport } from '../rollout/reports.js';
import type { RunDir } from '../rollout/run-dir.js';
import { renderHtmlPage } from '../report/html-page.js';
import { planMarkdown, runMarkdown } from '../report/markdown.js';
import { pageFromPlan, withRunReport } from '../report/page-data.js';
import { osUser, readPlanWithoutTexts, reportHtmlPath } from '../report/run-html.js';
import { redact } from '../shared/redact.js';
import type { CommandContext } from './context.js';
import { CliError, EXIT } from './errors.js';

export type OutputFormat = 'text' | 'markdown';

/** `--format text|markdown` on plan, apply and verify: markdown is a summary for CI ($GITHUB_STEP_SUMMARY, a PR comment). */
export function addFormatOption(command: Command): Command {
  return command.addOption(
    new Option('--format <format>', 'result format on stdout: text, or markdown (counts and a compact table for $GITHUB_STEP_SUMMARY or a PR comment)')
      .choices(['text', 'markdown'])
      .default('text'),
  );
}

/** The format asked for; `--json` with `--format markdown` is a usage error (one stdout, one format). */
export function outputFormat(options: { format?: string; json?: boolean }): OutputFormat {
  const format = options.format === 'markdown' ? 'markdown' : 'text';
  if (format === 'markdown' && options.json) throw new CliError('--json and --format markdown both format stdout: give one', EXIT.USAGE);
  return format;
}

/** Markdown on stdout, one line a call (CliIO writes one safe line per call). */
function printLines(ctx: CommandContext, text: string): void {
  const lines = text.replace(/\n$/, '').split('\n');
  for (const line of lines) ctx.io.out(line);
}

function pageMeta(ctx: CommandContext) {
  return { generatedBy: osUser(ctx.io.env.USER ?? ctx.io.env.USERNAME ?? 'unknown user'), generatedAt: new Date().toISOString() };
}

/** `plan --html FILE`: the plan's change record as one self-contained page. Returns the absolute path. */
export function writePlanHtml(ctx: CommandContext, plan: PlanFile, file: string): string {
  const path = resolve(ctx.io.host.cwd, file);
  try {
    writeFileDurably(path, redact(renderHtmlPage(pageFromPlan(plan, pageMeta(ctx)))));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    throw new CliError(`--html ${file}: cannot write ${path} (${code}); the plan itself was written`, EXIT.FLOWS_FAILED);
  }
  return path;
}

export function printPlanMarkdown(ctx: CommandContext, plan: PlanFile): void {
  printLines(ctx, planMarkdown(pageFromPlan(plan, pageMeta(ctx))));
}

/**
 * `apply|verify|rollback --format markdown`: the step's summary on stdout; the same notes on stderr as the text
 * summary (interrupted, stop reason, where the reports are).
 */
export function printRunMarkdown(
  ctx: CommandContext, report: RunReport, runDir: RunDir, interrupted: boolean, stopReason?: string,
  reportProblem?: { message: string; keptIn?: string },
): void {
  const page = withRunReport(pageFromPlan(readPlanWithoutTexts(runDir.planPath), { ...pageMeta(ctx), runId: runDir.runId }), report);
  printLines(ctx, runMarkdown(page, report.command, { interrupted, ...(stopReason ? { stopReason } : {}) }));
  if (stopReason) ctx.io.err(`flowlink: ${stopReason}`);
  if (interrupted) ctx.io.err(`flowlink: the run was interrupted; run the same command again to resume (flowlink status ${report.runId})`);
  if (reportProblem) {
    const kept = reportProblem.keptIn ? `; they are in ${reportProblem.keptIn}` : '';
    ctx.io.err(`flowlink: the ${report.command} reports could not be saved in the run directory: ${reportProblem.message}${kept}`);
  } else {
    ctx.io.note(`flowlink: reports in ${runDir.path} (report.html: the change record with every step so far)`);
  }
}

export { reportHtmlPath };

/** `--html FILE` must be a file in an existing folder: refused before the org is asked anything. */
export function checkHtmlPath(ctx: CommandContext, file: string): void {
  const path = resolve(ctx.io.host.cwd, file);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // not there yet: its folder must be
  }
  if (isDirectory) throw new CliError(`--html ${file}: is a directory; name a file such as plan.html`, EXIT.USAGE);
  if (!existsSync(dirname(path))) throw new CliError(`--html ${file}: folder ${dirname(path)} does not exist`, EXIT.USAGE);
}
