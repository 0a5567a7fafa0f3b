import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { writeFileDurably } from '../rollout/durable-write.js';
import { fileLines } from '../rollout/file-lines.js';
import type { RunDir } from '../rollout/run-dir.js';
import { collectIfGrown } from '../shared/heap-keeper.js';
import { redact, redactPieces } from '../shared/redact.js';
import { htmlPagePieces } from './html-page.js';
import {
  flowSourceOf, notInPlan, pageFlowOf, pageFromPlan, withOutcome, withRunReport, withRunStep,
  type PageFlow, type PageFlowSource, type PlanFlowLike, type PlanLike, type ReportPage, type RunCommand, type RunReportLike,
} from './page-data.js';

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
  try {
    const flows: PlanFlowLike[] = [];
    return { ...readLinePlan(path, (flow) => flows.push(flow)), flows };
  } catch {
    const whole = JSON.parse(readFileSync(path, 'utf8')) as Omit<PlanLike, 'flows'> & { flows: PlanFlowWithTexts[] };
    return { ...whole, flows: whole.flows.map(({ original: _o, updated: _u, ...flow }) => flow) };
  }
}

/** linePlanFlows read through: each flow to `take`, then the plan without its flows. */
function readLinePlan(path: string, take: (flow: PlanFlowLike) => void): Omit<PlanLike, 'flows'> {
  const lines = linePlanFlows(path);
  for (let next = lines.next(); ; next = lines.next()) {
    if (next.done) return next.value;
    take(next.value);
  }
}

/**
 * The flows of a plan file in the one-flow-a-line layout, without their texts, one at a time; then (the return
 * value) the plan without its flows. Throws on any other layout. Each line is read and parsed whole, texts and
 * all, and dropped: the garbage is collected as it piles up.
 */
function* linePlanFlows(path: string): Generator<PlanFlowLike, Omit<PlanLike, 'flows'>> {
  const header: string[] = [];
  let checksum: string | undefined;
  let part: 'header' | 'flows' | 'tail' = 'header';
  let read = 0;
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
      yield flow;
      if (++read % 100 === 0) collectIfGrown();
    } else if (line.startsWith('  "checksum": ')) {
      checksum = JSON.parse(line.slice('  "checksum": '.length)) as string;
    }
  }
  if (part !== 'tail' || checksum === undefined) throw new Error('not the one-flow-a-line layout');
  const head = JSON.parse(`${header.join('\n').replace(/,\s*$/, '')}\n}`) as Omit<PlanLike, 'flows' | 'checksum'>;
  return { ...head, checksum };
}

type PlanFlowWithTexts = PlanFlowLike & { original?: string; updated?: string };

const STEPS: RunCommand[] = ['apply', 'verify', 'rollback'];

function reportJsonPath(runDir: RunDir, command: RunCommand): string {
  return join(runDir.path, `${command === 'apply' ? '' : `${command}-`}report.json`);
}

/** The run's page: its plan, and every step's report found in the run directory (`current` instead of its file). */
export function runReportPage(runDir: RunDir, current?: RunReportLike, meta: { generatedBy?: string; generatedAt?: string } = {}): ReportPage {
  let page = pageFromPlan(readPlanWithoutTexts(runDir.planPath), pageMetaOf(runDir, meta));
  for (const report of stepReports(runDir, current)) page = withRunReport(page, report);
  return page;
}

/**
 * The same page with its flows never held (issue 15: a 10,000-flow page was the peak of apply's memory): they are
 * read from the run's plan file for each pass of the writer (three: counts, rows, diffs), each with its steps'
 * outcomes, which are in memory anyway. A plan file in another layout gives runReportPage's page.
 */
export function runReportPageStreamed(runDir: RunDir, current?: RunReportLike, meta: { generatedBy?: string; generatedAt?: string } = {}): { page: ReportPage; flows: PageFlowSource } {
  const reports = stepReports(runDir, current);
  const outcomes = reports.map((report) => ({ command: report.command, byId: new Map(report.flows.map((flow) => [flow.id, flow])) }));
  const states: Record<string, number> = {};
  const known = new Set<string>();
  let count = 0;
  let changed = 0;
  let head: Omit<PlanLike, 'flows'>;
  try {
    head = readLinePlan(runDir.planPath, (flow) => {
      known.add(flow.id);
      states[flow.state] = (states[flow.state] ?? 0) + 1;
      count += 1;
      if (flow.diff) changed += 1;
    });
  } catch {
    const page = runReportPage(runDir, current, meta);
    return { page, flows: flowSourceOf(page.flows) };
  }
  // A flow a step reports that the plan does not have (as withRunReport adds it: once, with every step's outcome).
  const extras = new Map<string, PageFlow>();
  for (const report of reports) {
    for (const flow of report.flows) {
      if (known.has(flow.id)) continue;
      const seen = extras.get(flow.id);
      extras.set(flow.id, seen ? withOutcome(seen, report.command, flow) : notInPlan(flow, report.command));
    }
  }
  for (const extra of extras.values()) states[extra.state] = (states[extra.state] ?? 0) + 1;
  let page = pageFromPlan({ ...head, flows: [] }, pageMetaOf(runDir, meta));
  for (const report of reports) page = withRunStep(page, report);
  const path = runDir.planPath;
  return {
    page,
    flows: {
      count: count + extras.size,
      states,
      changed,
      *each() {
        for (const flow of linePlanFlows(path)) {
          let shown = pageFlowOf(flow);
          for (const { command, byId } of outcomes) shown = withOutcome(shown, command, byId.get(flow.id));
          yield shown;
        }
        yield* extras.values();
      },
    },
  };
}

function pageMetaOf(runDir: RunDir, meta: { generatedBy?: string; generatedAt?: string }): { generatedBy: string; generatedAt: string; runId: string } {
  return { generatedBy: meta.generatedBy ?? osUser(), generatedAt: meta.generatedAt ?? new Date().toISOString(), runId: runDir.runId };
}

/** Every step's report in the run directory, in step order (`current` instead of its own file). */
function stepReports(runDir: RunDir, current?: RunReportLike): RunReportLike[] {
  return STEPS.flatMap((command) => {
    const report = current?.command === command ? current : readReport(reportJsonPath(runDir, command));
    return report ? [report] : [];
  });
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
      writeFileDurably(path, redactPieces(madePieces(() => runReportPageStreamed(runDir, current))));
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
function* madePieces(made: () => { page: ReportPage; flows: PageFlowSource }): Generator<string> {
  try {
    const { page, flows } = made();
    yield* htmlPagePieces(page, flows);
  } catch (error) {
    throw new PageNotMade('page not made', { cause: error });
  }
}

function pageSayingWhy(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><title>flowlink run report</title></head>\n<body><p>flowlink could not make this page: ${message}. report.json, report.csv and report.junit.xml beside it have the run.</p></body></html>\n`;
}
