import { mdCode, mdText } from './escape.js';
import { countStates, durationText, spanMs, stateRank, type PageFlow, type PageOutcome, type ReportPage, type RunCommand } from './page-data.js';

/**
 * Markdown summaries for CI (`$GITHUB_STEP_SUMMARY`, a pull-request comment): counts and a compact table. Text from
 * the org (names, reasons, errors) is always a code span (`mdCode`): no HTML, link, emphasis, `@mention` or `#ref`
 * in it is rendered, and `|` and newlines cannot break the table. At most `maxRows` flows are listed (a PR comment
 * holds 65,536 characters); the rest are counted.
 */
export interface MarkdownOptions {
  maxRows?: number;
}

const DEFAULT_MAX_ROWS = 100;

/** `flowlink plan --format markdown`. */
export function planMarkdown(page: ReportPage, options: MarkdownOptions = {}): string {
  const counts = countStates(page.flows);
  const changes = (counts.ELIGIBLE ?? 0) + (counts.STALE ?? 0);
  const lines = [
    `### flowlink plan: ${mdText(page.changeKind)} ${mdCode(page.module.name)}`,
    '',
    `${changes === 0 ? '**No flow changes.**' : `**${changes} flow${changes === 1 ? '' : 's'} to change**`} of ${page.flows.length} selected in ${mdCode(page.environment)}${page.placement ? `, ${mdText(page.placement)}` : ''}. Plan checksum ${mdCode(page.planChecksum.slice(0, 12))}.`,
    '',
    ...countsTable(counts),
    '',
    ...flowTable(page.flows, [], options.maxRows ?? DEFAULT_MAX_ROWS),
  ];
  return lines.join('\n') + '\n';
}

/** `flowlink apply|verify|rollback --format markdown`: the page of a run with that step's outcomes merged in. */
export function runMarkdown(page: ReportPage, command: RunCommand, options: MarkdownOptions & { interrupted?: boolean; stopReason?: string } = {}): string {
  const run = page.runs.find((r) => r.command === command);
  const flows = page.flows.filter((flow) => flow[command]);
  const counts = run?.counts ?? countStates(flows.map((flow) => flow[command] as PageOutcome));
  const took = run ? durationText(spanMs(run.startedAt, run.finishedAt)) : '';
  const lines = [
    `### flowlink ${command}: ${mdText(page.changeKind)} ${mdCode(page.module.name)}`,
    '',
    `Run ${mdCode(page.runId ?? run?.runId ?? '')} in ${mdCode(page.environment)}: ${flows.length} flow${flows.length === 1 ? '' : 's'}${took ? ` in ${mdText(took)}` : ''}.` +
      (options.interrupted ? ' **Interrupted: run the same command again to resume.**' : ''),
    ...(options.stopReason ? ['', `Stopped: ${mdCode(options.stopReason)}`] : []),
    '',
    ...countsTable(counts),
    '',
    ...flowTable(flows, [command], options.maxRows ?? DEFAULT_MAX_ROWS),
  ];
  return lines.join('\n') + '\n';
}

function countsTable(counts: Record<string, number>): string[] {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return ['_No flows._'];
  return ['| state | flows |', '| --- | ---: |', ...entries.map(([state, n]) => `| ${mdText(state)} | ${n} |`)];
}

/** Failures and changes first, then flows held back, then the rest; then by name. */
function flowTable(flows: readonly PageFlow[], steps: RunCommand[], maxRows: number): string[] {
  if (flows.length === 0) return [];
  const step = steps[0];
  const rankOf = (flow: PageFlow): number => stateRank(step ? (flow[step]?.state ?? flow.state) : flow.state);
  const sorted = [...flows].sort((a, b) => rankOf(a) - rankOf(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const shown = sorted.slice(0, Math.max(0, maxRows));
  const head = step
    ? ['| flow | type | outcome | versions | took | detail |', '| --- | --- | --- | --- | ---: | --- |']
    : ['| flow | type | state | version | reason |', '| --- | --- | --- | --- | --- |'];
  const rows = shown.map((flow) => {
    if (!step) {
      return `| ${mdCode(flow.name)} | ${mdText(flow.type)} | ${mdText(flow.state)} | ${mdText(flow.publishedVersion ?? '')} | ${mdCode(flow.reason ?? '')} |`;
    }
    const outcome = flow[step] as PageOutcome;
    const versions = outcome.versionAfter ? `${outcome.versionBefore ?? '?'} → ${outcome.versionAfter}` : (outcome.versionBefore ?? flow.publishedVersion ?? '');
    return `| ${mdCode(flow.name)} | ${mdText(flow.type)} | ${mdText(outcome.state)} | ${mdText(versions)} | ${mdText(durationText(outcome.durationMs))} | ${mdCode(outcome.error ?? outcome.reason ?? '')} |`;
  });
  const rest = sorted.length - shown.length;
  return [...head, ...rows, ...(rest > 0 ? ['', `_…and ${rest} more flow${rest === 1 ? '' : 's'} (every flow is in the plan file and the HTML report)._`] : [])];
}
