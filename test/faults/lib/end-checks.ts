import { existsSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { compareMeaning, findModuleCalls } from '../../../src/flow/index.js';
import type { PlanFile } from '../../../src/rollout/plan-file.js';
import { plannedYaml } from '../../../src/rollout/plan-edit.js';
import type { OrgSnapshot } from './org-snapshot.js';

export interface EndCheckInput {
  plan: PlanFile;
  /** The org right before the first apply, and after the last one (faults removed). */
  before: OrgSnapshot;
  after: OrgSnapshot;
  /** The run directory of the plan's run. */
  runDir: string;
  /** flowlink's OAuth client id: no lock may be left under it. */
  clientId: string;
}

/**
 * The end state a resumed run must reach, whatever happened on the way (design.md "Run directory"): every target
 * changed exactly once to exactly the planned YAML, everything else untouched, no lock left, the journal complete
 * and parseable, a backup per target equal to the plan's original. Returns the problems found (empty: all good).
 */
export function checkEndState(input: EndCheckInput): string[] {
  const problems: string[] = [];
  const { plan, before, after } = input;
  const targets = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  const targetIds = new Set(targets.map((flow) => flow.id));
  const successfulImports = new Map<string, number>();
  const newJobs = after.importJobs.filter((job) => !before.importJobs.some((old) => old.id === job.id));
  for (const job of newJobs) {
    if (job.status === 'Success' && job.flowId) successfulImports.set(job.flowId, (successfulImports.get(job.flowId) ?? 0) + 1);
  }

  for (const flow of targets) {
    const was = before.flows.get(flow.id);
    const now = after.flows.get(flow.id);
    if (!was || !now) {
      problems.push(`${flow.name}: missing from the org`);
      continue;
    }
    // The org regenerates exports: the published version must MEAN the planned YAML (flow/meaning.ts).
    const meaning = compareMeaning(now.yaml ?? '', plannedYaml(plan, flow) ?? '');
    if (!meaning.same) problems.push(`${flow.name}: published YAML does not mean the planned YAML (at ${meaning.difference ?? '?'})`);
    const calls = findModuleCalls(now.yaml ?? '').filter((call) => call.module === plan.module.name).length;
    if (calls !== 1) problems.push(`${flow.name}: ${calls} calls to ${plan.module.name}, expected exactly 1`);
    const added = now.meta.versions.length - was.meta.versions.length;
    if (added !== 1) problems.push(`${flow.name}: ${added} new versions, expected exactly 1`);
    const imports = successfulImports.get(flow.id) ?? 0;
    if (imports !== 1) problems.push(`${flow.name}: ${imports} successful import jobs, expected exactly 1`);
    if (!isDeepStrictEqual(now.meta.lock, was.meta.lock)) problems.push(`${flow.name}: lock changed to ${JSON.stringify(now.meta.lock)}`);
    if (now.meta.savedVersionId !== null && now.meta.savedVersionId !== now.meta.publishedVersionId) problems.push(`${flow.name}: left a draft`);
  }

  for (const [id, was] of before.flows) {
    if (targetIds.has(id)) continue;
    const now = after.flows.get(id);
    if (!now) problems.push(`${was.meta.name}: flow outside the targets disappeared`);
    else if (!isDeepStrictEqual(now.meta, was.meta) || now.yaml !== was.yaml) problems.push(`${was.meta.name}: flow outside the targets changed`);
    if (successfulImports.has(id)) problems.push(`${was.meta.name}: imported although not a target`);
  }
  for (const id of after.flows.keys()) if (!before.flows.has(id)) problems.push(`flow ${id} appeared`);

  for (const flow of after.flows.values()) {
    if (flow.meta.lock?.kind === 'client' && flow.meta.lock.id === input.clientId) problems.push(`${flow.meta.name}: still locked by ${input.clientId}`);
  }

  problems.push(...checkJournal(input.runDir, targets.map((flow) => flow.id), targetIds));
  problems.push(...checkBackups(input.runDir, targets));
  problems.push(...checkReport(input.runDir, targets.map((flow) => flow.id)));
  return problems;
}

function checkJournal(runDir: string, targetOrder: string[], targetIds: Set<string>): string[] {
  const path = join(runDir, 'journal.jsonl');
  if (!existsSync(path)) return ['no journal.jsonl'];
  const problems: string[] = [];
  const entries: { step: string; flowId?: string }[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, index) => {
    if (line === '') return;
    try {
      entries.push(JSON.parse(line) as { step: string; flowId?: string });
    } catch {
      problems.push(`journal line ${index + 1} does not parse`);
    }
  });
  const last = new Map<string, string>();
  const done = new Map<string, number>();
  for (const entry of entries) {
    if (!entry.flowId) continue;
    if (!targetIds.has(entry.flowId)) problems.push(`journal names flow ${entry.flowId}, which is not a target`);
    last.set(entry.flowId, entry.step);
    if (entry.step === 'flow-done') done.set(entry.flowId, (done.get(entry.flowId) ?? 0) + 1);
  }
  for (const id of targetOrder) {
    if (last.get(id) !== 'flow-done') problems.push(`journal: flow ${id} ends with ${last.get(id) ?? 'nothing'}, not flow-done`);
    if ((done.get(id) ?? 0) > 1) problems.push(`journal: flow ${id} done ${done.get(id)} times`);
  }
  if (entries.at(-1)?.step !== 'run-finished') problems.push(`journal ends with ${entries.at(-1)?.step ?? 'nothing'}, not run-finished`);
  return problems;
}

function checkBackups(runDir: string, targets: PlanFile['flows']): string[] {
  const problems: string[] = [];
  for (const flow of targets) {
    const yamlPath = join(runDir, 'backups', `${flow.id}@${flow.publishedVersion ?? 'none'}.yaml`);
    if (!existsSync(yamlPath)) {
      problems.push(`no backup for ${flow.name}`);
      continue;
    }
    if (readFileSync(yamlPath, 'utf8') !== flow.original) problems.push(`backup of ${flow.name} differs from the plan's original`);
    try {
      const meta = JSON.parse(readFileSync(yamlPath.replace(/\.yaml$/, '.json'), 'utf8')) as { sha256?: string };
      if (meta.sha256 !== flow.sha256) problems.push(`backup metadata of ${flow.name} has the wrong sha256`);
    } catch {
      problems.push(`backup metadata of ${flow.name} missing or unreadable`);
    }
  }
  return problems;
}

function checkReport(runDir: string, targetIds: string[]): string[] {
  try {
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as { flows: { id: string; state: string }[] };
    const notDone = targetIds.filter((id) => report.flows.find((flow) => flow.id === id)?.state !== 'DONE');
    return notDone.length > 0 ? [`report.json: ${notDone.length} target(s) not DONE`] : [];
  } catch {
    return ['report.json missing or unreadable'];
  }
}
