import { writeFileDurably } from './durable-write.js';
import { redact } from '../shared/redact.js';
import { jsonForTerminal } from '../shared/terminal-text.js';
import type { RunDir } from './run-dir.js';
import { writeRunHtml } from '../report/run-html.js';
import { collectIfGrown } from '../shared/heap-keeper.js';

/** One flow's outcome in a run, as every report format shows it. */
export interface FlowOutcome {
  id: string;
  name: string;
  type: string;
  /** Plan state, or the outcome of apply: DONE, FAILED, SKIPPED_CHANGED, ... */
  state: string;
  reason?: string;
  versionBefore?: string;
  versionAfter?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  error?: string;
}

export interface RunReport {
  runId: string;
  command: 'apply' | 'rollback' | 'verify';
  module: { id: string; name: string };
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
  flows: FlowOutcome[];
}

export function countStates(flows: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const flow of flows) counts[flow.state] = (counts[flow.state] ?? 0) + 1;
  return counts;
}

const CSV_COLUMNS: (keyof FlowOutcome)[] = [
  'id', 'name', 'type', 'state', 'reason', 'versionBefore', 'versionAfter', 'startedAt', 'finishedAt', 'durationMs', 'error',
];

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // Cells starting with = + - @ are neutralised: a report opened in a spreadsheet must not run formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(report: RunReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const flow of report.flows) lines.push(CSV_COLUMNS.map((column) => csvCell(flow[column])).join(','));
  return lines.join('\n') + '\n';
}

/**
 * Text for an XML 1.0 attribute, keeping the real value where XML can carry it: markup characters as entities;
 * tab, newline and CR as character references (raw, an attribute's value would turn them into spaces); DEL, C1
 * and bidi controls as character references (never raw in the file). Characters XML 1.0 cannot carry at all (the
 * other C0 controls such as ESC, U+FFFE, U+FFFF, lone surrogates) are written visibly as `\x1b`, `\uffff`.
 */
function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\t\n\r\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
      const code = c.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
}

const PASSING = new Set(['DONE', 'VERIFIED', 'ROLLED_BACK', 'ALREADY_DONE']);
const FAILING = new Set(['FAILED', 'DRIFT', 'ROLLBACK_FAILED']);

export function toJunit(report: RunReport): string {
  const failures = report.flows.filter((flow) => FAILING.has(flow.state)).length;
  const skipped = report.flows.filter((flow) => !PASSING.has(flow.state) && !FAILING.has(flow.state)).length;
  const cases = report.flows.map((flow) => {
    const open = `  <testcase classname="flowlink.${xml(report.command)}.${xml(flow.type)}" name="${xml(flow.name)} (${xml(flow.id)})" time="${((flow.durationMs ?? 0) / 1000).toFixed(3)}"`;
    if (FAILING.has(flow.state)) {
      return `${open}>\n    <failure message="${xml(flow.error ?? flow.reason ?? flow.state)}" type="${xml(flow.state)}"/>\n  </testcase>`;
    }
    if (!PASSING.has(flow.state)) return `${open}>\n    <skipped message="${xml(`${flow.state}${flow.reason ? `: ${flow.reason}` : ''}`)}"/>\n  </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="flowlink" tests="${report.flows.length}" failures="${failures}" skipped="${skipped}">`,
    `<testsuite name="flowlink ${xml(report.command)} ${xml(report.runId)} (${xml(report.module.name)})" tests="${report.flows.length}" failures="${failures}" skipped="${skipped}" timestamp="${xml(report.startedAt)}">`,
    ...cases,
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * Writes report.json, report.csv and report.junit.xml (prefixed for rollback/verify) into the run directory, secrets
 * redacted; then report.html, the run's change record with every step's outcomes so far (src/report).
 */
export function writeReports(runDir: RunDir, report: RunReport): void {
  // JSON escaping, also of DEL, C1 and bidi controls (JSON.stringify leaves those raw): the same value, safe to cat.
  writeFileDurably(runDir.reportPath('json', report.command), jsonForTerminal(redact(JSON.stringify(report, null, 2))) + '\n');
  writeFileDurably(runDir.reportPath('csv', report.command), redact(toCsv(report)));
  writeFileDurably(runDir.reportPath('junit.xml', report.command), redact(toJunit(report)));
  // The three texts above are garbage now; the page reads the plan again (a 10,000-flow run: tens of MB).
  collectIfGrown();
  writeRunHtml(runDir, report);
}
