import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryHost } from '../helpers/cli-host.js';
import { emulatorHarness, CLIENT_ID, CLIENT_SECRET, type Harness } from '../client/harness.js';
import type { PlanFile, PlanFlow } from '../../src/rollout/plan-file.js';
import { planEdit, plannedYaml } from '../../src/rollout/plan-edit.js';
import { compareMeaning, findModuleCalls } from '../../src/flow/index.js';

export { emulatorHarness, type Harness };

/** Runs the CLI in-process against the harness's emulator, in `cwd`. */
export async function cli(harness: Harness, cwd: string, args: string[], signal?: AbortSignal) {
  const io = memoryHost({ GENESYS_ENVIRONMENT: harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET }, cwd);
  const code = await main(args, io.host, signal);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

export function tempDir(prefix = 'flowlink-rollout-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readPlan(path: string): PlanFile {
  return JSON.parse(readFileSync(path, 'utf8')) as PlanFile;
}

/** The published YAML of each flow, read through the real export API. */
export async function publishedYaml(harness: Harness, ids: readonly string[]): Promise<Map<string, { version: string | undefined; yaml: string | undefined }>> {
  const client = harness.client();
  const result = new Map<string, { version: string | undefined; yaml: string | undefined }>();
  const versions = new Map<string, string | undefined>();
  for await (const flow of client.flows.list({ id: [...ids] })) versions.set(flow.id, flow.publishedVersion?.id);
  const exports = await client.exportJobs.exportFlows(
    ids.filter((id) => versions.get(id)).map((id) => ({ id, version: versions.get(id) as string })),
  );
  for (const id of ids) {
    const exported = exports.find((e) => e.flowId === id);
    result.set(id, { version: versions.get(id), yaml: exported && exported.ok ? exported.yaml : undefined });
  }
  return result;
}

export function callsTo(yaml: string, module: string): number {
  return findModuleCalls(yaml).filter((call) => call.module === module).length;
}

export const DEMO_MODULE = 'Global_Exception_Handler';

/** One emulator for a test file: started before its tests, closed after them; call the result inside a test. */
export function sharedEmulator(options: Parameters<typeof emulatorHarness>[0]): () => Harness {
  let harness: Harness | undefined;
  before(async () => {
    harness = await emulatorHarness(options);
  });
  after(async () => harness?.close());
  return () => {
    if (!harness) throw new Error('the emulator is started in before()');
    return harness;
  };
}

/** A fresh demo org, and `flowlink plan` of the demo module into the flows named by `prefix`, in a new directory. */
export async function demoPlan(harness: Harness, prefix: string, tempPrefix = 'flowlink-rollout-') {
  await harness.reset();
  const cwd = tempDir(tempPrefix);
  const planned = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', prefix, '--out', 'plan.json']);
  assert.equal(planned.code, 0, planned.stderr);
  const plan = readPlan(join(cwd, 'plan.json'));
  return { cwd, plan, eligible: plan.flows.filter((flow) => flow.state === 'ELIGIBLE').map((flow) => ({ ...flow, planned: plannedText(plan, flow) })) };
}

/**
 * A plan as flowlink wrote it before format 3 (in place, not re-sealed): each target with its new YAML, and its
 * diff with the `Index:` lines.
 */
export function asFormat2(plan: PlanFile): PlanFile {
  plan.formatVersion = 2;
  for (const flow of plan.flows) {
    if (flow.state !== 'ELIGIBLE') continue;
    const edit = planEdit(plan, flow.original ?? '', flow);
    assert.ok(edit.ok);
    flow.updated = edit.yaml;
    flow.diff = edit.diff;
  }
  return plan;
}

/** What apply imports for a target: a plan file (format 3) holds the original and the change, not the new YAML. */
export function plannedText(plan: PlanFile, flow: PlanFlow): string {
  const yaml = plannedYaml(plan, flow);
  assert.ok(yaml !== undefined, `${flow.name}: the plan's change applies to its original`);
  return yaml;
}

/**
 * The org regenerates every export (refIds renamed, references absolute, layout re-emitted), so what a flow holds
 * is asserted by meaning, never by bytes.
 */
export function assertMeans(actual: string | undefined, expected: string | undefined, message: string): void {
  assert.ok(actual !== undefined, `${message}: no YAML`);
  const meaning = compareMeaning(actual, expected ?? '');
  assert.ok(meaning.same, `${message}: differs at ${meaning.difference ?? '?'}`);
}
