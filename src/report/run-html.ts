import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { writeFileDurably } from '../rollout/durable-write.js';
import { fileLines } from '../rollout/file-lines.js';
import type { RunDir } from '../rollout/run-dir.js';
import { collectIfGrown } from '../shared/heap-keeper.js';
import { redact, redactPieces } from '../shared/redact.js';
import { htmlPagePieces } from './html-page.js';
import { pageFromPlan, withRunReport, type PlanFlowLike, type PlanLike, type ReportPage, type RunCommand, type RunReportLike } from './page-data.js';

/** The OS user running flowlink (the "who" of a change record); `fallback` when the system has no name for it. */
export function osUser(fallback = 'unknown user'): string {
  try {
    return userInfo().username || fallback;
  } catch {
    return fallback;
  }
}

export function reportHtmlPath(runDir: RunDir): string {
  return join(runDir.path, 'report.html');
}

/**
 * A plan file without its YAML texts: the original (and, formats 1 and 2, the new) YAML of each flow are dropped as
 * the file is read, line by line, so a plan of thousands of flows costs its diffs and metadata only (the plan
 * writer puts one flow a line). A file in any other layout is parsed whole. Not checked: a page is a convenience.
 */
export function readPlanWithoutTexts(path: string): PlanLike {
  const header: string[] = [];
  const flows: PlanFlowLike[] = [];
  let checksum: string | undefined;
  let part: 'header' | 'flows' | 'tail' = 'header';
  try {
    for (const line of fileLines(path)) {
      if (part === 'header') {
        if (line === '  "flows": [') part = 'flows';
        else header.push(line);
      } else if (part === 'flows') {
        if (line === '  ],') {
          part = 'tail';
          continue;
        }
        const { original: _original, updated: _updated, ...flow } = JSON.parse(line.trim().replace(/,$/, '')) as PlanFlowWithTexts;
        if (flows.push(flow) % 100 === 0) collectIfGrown();
      } else if (line.startsWith('  "checksum": ')) {
        checksum = JSON.parse(line.slice('  "checksum": '.length)) as string;
      }
    }
    if (part !== 'tail' || checksum === undefined) throw new Error('not the one-flow-a-line layout');
    const head = JSON.parse(`${header.join('\n').replace(/,\s*$/, '')}\n}`) as Omit<PlanLike, 'flows' | 'checksum'>;
    return { ...head, flows, checksum };
  } catch {
    const whole = JSON.parse(readFileSync(path, 'utf8')) as Omit<PlanLike, 'flows'> & { flows: PlanFlowWithTexts[] };
    return { ...whole, flows: whole.flows.map(({ original: _o, updated: _u, ...flow }) => flow) };
  }
}

type PlanFlowWithTexts = PlanFlowLike & { original?: string; updated?: string };

const STEPS: RunCommand[] = ['apply', 'verify', 'rollback'];

function reportJsonPath(runDir: RunDir, command: RunCommand): string {
  return join(runDir.path, `${command === 'apply' ? '' : `${command}-`}report.json`);
}

/** The run's page: its plan, and every step's report found in the run directory (`current` instead of its file). */
export function runReportPage(runDir: RunDir, current?: RunReportLike, meta: { generatedBy?: string; generatedAt?: string } = {}): ReportPage {
  let page = pageFromPlan(readPlanWithoutTexts(runDir.planPath), {
    generatedBy: meta.generatedBy ?? osUser(), generatedAt: meta.generatedAt ?? new Date().toISOString(), runId: runDir.runId,
  });
  // Each step's page replaces the one before: the flows of the plan, then of each older page, are garbage once
  // the next has them, and are collected before the next is made (a 10,000-flow page is ~12 MB live).
  collectIfGrown();
  for (const command of STEPS) {
    const report = current?.command === command ? current : readReport(reportJsonPath(runDir, command));
    if (report) {
      page = withRunReport(page, report);
      collectIfGrown();
    }
  }
  return page;
}

function readReport(path: string): RunReportLike | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const report = JSON.parse(readFileSync(path, 'utf8')) as RunReportLike;
    return Array.isArray(report.flows) && STEPS.includes(report.command) ? report : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `report.html` in the run directory: the plan's change record plus the outcomes, timings and verify results of
 * every step run so far; rewritten after each apply, verify and rollback. Secrets redacted like every report.
 * Written as it is made, a flow at a time (a 10,000-flow page is never one string: issue 15's memory aim).
 * The page is a convenience beside report.json/csv/junit.xml: if it cannot be made, a page saying why is written
 * instead; if it cannot be written, the file-system error is returned, not thrown, and the run's result stands.
 */
export function writeRunHtml(runDir: RunDir, current?: RunReportLike): NodeJS.ErrnoException | undefined {
  const path = reportHtmlPath(runDir);
  try {
    try {
      writeFileDurably(path, redactPieces(madePieces(() => runReportPage(runDir, current))));
    } catch (error) {
      if (!(error instanceof PageNotMade)) throw error;
      writeFileDurably(path, redact(pageSayingWhy(error.cause)));
    }
  } catch (error) {
    // A run directory that cannot take the page (read-only, full): the run's result and its other reports stand.
    if ((error as NodeJS.ErrnoException).code) return error as NodeJS.ErrnoException;
    throw error;
  }
  return undefined;
}

/** Why the page could not be made (not written: a file-system error is the writer's own). */
class PageNotMade extends Error {}

/** The page's pieces; an error in making it is a PageNotMade (the temporary file is dropped, the why-page written). */
function* madePieces(page: () => ReportPage): Generator<string> {
  try {
    yield* htmlPagePieces(page());
  } catch (error) {
    throw new PageNotMade('page not made', { cause: error });
  }
}

function pageSayingWhy(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><title>flowlink run report</title></head>\n<body><p>flowlink could not make this page: ${message}. report.json, report.csv and report.junit.xml beside it have the run.</p></body></html>\n`;
}
