import { DemoRandom } from '../../../src/emulator/seed/demo-random.js';
import { DEFAULT_CLIENT_ID } from '../../../src/emulator/index.js';
import { checkEndState } from './end-checks.js';
import { cliEnv, Lab, type Stage } from './lab.js';
import { PROCESS_TIMEOUT_MS } from './settings.js';
import { snapshotOrg } from './org-snapshot.js';
import { spawnCli, type Exit } from './processes.js';
import { SCENARIOS, type Scenario, type TrialContext } from './scenarios.js';

export interface TrialResult {
  scenario: string;
  index: number;
  /** apply processes run (the first one included); resumes = attempts - 1. */
  attempts: number;
  exits: string[];
  events: string[];
  problems: string[];
  ms: number;
  /** Kept for inspection when the trial failed. */
  workDir: string;
}

/** A trial's own PRNG, from the suite seed, the scenario and the trial number: one trial replays alone. */
export function trialRng(seed: number, scenario: Scenario, index: number): DemoRandom {
  let hash = seed >>> 0;
  for (const char of `${scenario.name}#${index}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return new DemoRandom(hash);
}

/**
 * One trial: reset the org, arm the scenario's faults, run `flowlink apply` (a spawned process) until it exits 0
 * (bounded), interfering while it runs, then remove every fault and check the end state through the real API,
 * the control plane's state dump and the run directory; finally `flowlink verify` must agree.
 */
export async function runTrial(lab: Lab, scenario: Scenario, index: number, seed: number): Promise<TrialResult> {
  const started = Date.now();
  const stage = (scenario.restartable ? lab.restartable : lab.shared) as Stage;
  if (!stage) throw new Error(`scenario ${scenario.name} needs the ${scenario.restartable ? 'restartable' : 'shared'} emulator`);
  await lab.resetStage(stage);
  const { cwd, runDir } = lab.workDir(stage);
  const events: string[] = [];
  const ctx: TrialContext = {
    rng: trialRng(seed, scenario, index),
    control: stage.control,
    ...(stage.process ? { emulator: stage.process } : {}),
    runDir,
    targets: stage.plan.flows.filter((flow) => flow.state === 'ELIGIBLE'),
    calibration: stage.calibration,
    note: (event) => events.push(event),
  };
  const problems: string[] = [];
  const exits: string[] = [];
  let finished = false;
  let attempt = 0;
  try {
    await scenario.arm?.(ctx);
    while (!finished && attempt < scenario.maxAttempts) {
      attempt += 1;
      const args = ['apply', 'plan.json', '--yes', ...lab.applyArgs, ...(scenario.applyArgs?.(ctx, attempt) ?? [])];
      const run = spawnCli(args, { cwd, env: cliEnv(stage), timeoutMs: PROCESS_TIMEOUT_MS });
      const interfering = scenario.during?.(ctx, attempt, run) ?? Promise.resolve();
      const exit = await run.done;
      await interfering;
      exits.push(describeExit(exit));
      if (exit.timedOut) problems.push(`apply attempt ${attempt} hung: killed after ${PROCESS_TIMEOUT_MS / 1000} s`);
      if (/internal error|TypeError|ReferenceError|at .+\.js:\d+/.test(exit.stderr)) {
        problems.push(`apply attempt ${attempt} crashed: ${lastLines(exit.stderr)}`);
      }
      if (attempt === 1 && scenario.firstExit !== undefined && exit.signal === null && exit.code !== scenario.firstExit) {
        problems.push(`first attempt exited ${exit.code}, expected ${scenario.firstExit} (the fault must surface): ${lastLines(exit.stderr)}`);
      }
      finished = exit.code === 0;
      if (exit.code !== null && exit.code !== 0) ctx.note(`attempt ${attempt} exit ${exit.code}: ${stopLine(exit)}`);
      if (!finished) await scenario.afterAttempt?.(ctx, attempt, exit);
    }
  } finally {
    await stage.control.clearFaults();
  }
  if (!finished) problems.push(`not finished after ${attempt} apply attempts`);

  const after = await snapshotOrg(stage.control);
  problems.push(...checkEndState({ plan: stage.plan, before: stage.baseline, after, runDir, clientId: DEFAULT_CLIENT_ID }));
  const verified = await spawnCli(['verify', 'plan.json'], { cwd, env: cliEnv(stage), timeoutMs: PROCESS_TIMEOUT_MS }).done;
  if (verified.code !== 0) problems.push(`flowlink verify exited ${verified.code}: ${lastLines(verified.stdout + verified.stderr)}`);
  if (problems.length > 0) lab.keep(cwd);
  return { scenario: scenario.name, index, attempts: attempt, exits, events, problems, ms: Date.now() - started, workDir: cwd };
}

function describeExit(exit: Exit): string {
  return exit.signal ? (exit.signal === 'SIGKILL' ? 'killed' : exit.signal) : String(exit.code);
}

/** Why an attempt stopped, in a few words (the CLI's stop reason or failed flows). */
function stopLine(exit: Exit): string {
  const lines = (exit.stderr + '\n' + exit.stdout).split('\n').map((line) => line.trim());
  const reason = lines.find((line) => /run stopped|FAILED|interrupted|flowlink: (?!reports)/.test(line)) ?? lines.filter(Boolean).at(-1) ?? '';
  return reason.length > 160 ? `${reason.slice(0, 157)}...` : reason;
}

function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

export interface SuiteOptions {
  seed: number;
  /** Trials per scenario name; scenarios not listed run `defaultTrials`. */
  trials: Record<string, number>;
  defaultTrials: number;
  /** The plan's selector flags (e.g. `--prefix Sales_Line_`). */
  select: string[];
  /** Extra flags for every apply. */
  applyArgs?: string[];
  /**
   * Trials run at once, each worker with its own emulator (the restartable one belongs to the first). A trial
   * spends most of its time waiting on import jobs, so a few in parallel cut the wall time nearly in proportion.
   */
  workers: number;
  /** No new trial starts after this much time; the rest are reported as skipped. */
  budgetMs: number;
  log: (line: string) => void;
  /** Only these scenarios (default: all). */
  only?: readonly string[];
}

export interface ScenarioSummary {
  scenario: string;
  fault: string;
  trials: number;
  passed: number;
  failed: number;
  skipped: number;
  resumes: number;
  maxResumes: number;
  ms: number;
}

export interface SuiteResult {
  seed: number;
  trials: TrialResult[];
  summaries: ScenarioSummary[];
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
}

/**
 * The whole suite: trials queued scenario by scenario in rounds (so that a time budget cut never leaves a scenario
 * untried), run by `workers` labs at once, each trial logged as it ends, a summary per scenario at the end.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const scenarios = SCENARIOS.filter((scenario) => !options.only || options.only.includes(scenario.name));
  const trialsOf = (scenario: Scenario): number => options.trials[scenario.name] ?? options.defaultTrials;
  const queue: { scenario: Scenario; index: number }[] = [];
  for (let round = 0; round < Math.max(...scenarios.map(trialsOf)); round++) {
    for (const scenario of scenarios) if (round < trialsOf(scenario)) queue.push({ scenario, index: round + 1 });
  }
  const needsRestartable = scenarios.some((scenario) => scenario.restartable);
  const workers = Math.max(1, Math.min(options.workers, queue.filter((item) => !item.scenario.restartable).length + (needsRestartable ? 1 : 0)));
  const labs = Array.from({ length: workers }, (_, index) => new Lab({
    select: options.select, log: options.log, restartable: index === 0 && needsRestartable,
    ...(options.applyArgs ? { applyArgs: options.applyArgs } : {}),
  }));
  const results: TrialResult[] = [];
  const skipped = new Map<string, number>();
  try {
    await Promise.all(labs.map((lab) => lab.open()));
    const first = labs[0]?.shared;
    options.log(`fault suite: ${workers} worker(s); ${first?.plan.flows.filter((flow) => flow.state === 'ELIGIBLE').length ?? 0} targets per trial; ` +
      `clean apply ${first?.calibration.ms ?? 0} ms, ${first?.calibration.journalLines ?? 0} journal lines; setup ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await Promise.all(labs.map(async (lab) => {
      for (;;) {
        const at = queue.findIndex((item) => !item.scenario.restartable || lab.restartable !== undefined);
        if (at < 0) return;
        const [item] = queue.splice(at, 1);
        if (!item) return;
        if (Date.now() - started > options.budgetMs) {
          skipped.set(item.scenario.name, (skipped.get(item.scenario.name) ?? 0) + 1);
          continue;
        }
        const result = await runTrial(lab, item.scenario, item.index, options.seed);
        results.push(result);
        options.log(formatTrial(result));
      }
    }));
  } finally {
    await Promise.all(labs.map((lab) => lab.close()));
  }
  const summaries = scenarios.map((scenario) => summarise(scenario, results.filter((r) => r.scenario === scenario.name), skipped.get(scenario.name) ?? 0));
  const failed = results.filter((r) => r.problems.length > 0).length;
  return {
    seed: options.seed, trials: results, summaries,
    passed: results.length - failed, failed, skipped: [...skipped.values()].reduce((a, b) => a + b, 0), ms: Date.now() - started,
  };
}

function summarise(scenario: Scenario, trials: TrialResult[], skipped: number): ScenarioSummary {
  const resumes = trials.map((trial) => trial.attempts - 1);
  const failed = trials.filter((trial) => trial.problems.length > 0).length;
  return {
    scenario: scenario.name, fault: scenario.fault, trials: trials.length, passed: trials.length - failed, failed, skipped,
    resumes: resumes.reduce((a, b) => a + b, 0), maxResumes: Math.max(0, ...resumes), ms: trials.reduce((a, t) => a + t.ms, 0),
  };
}

export function formatTrial(trial: TrialResult): string {
  const head = `${trial.problems.length === 0 ? 'ok  ' : 'FAIL'} ${trial.scenario} #${trial.index}: ${trial.attempts} apply run(s) [exits ${trial.exits.join(', ')}]` +
    ` ${(trial.ms / 1000).toFixed(1)} s${trial.events.length ? `; ${trial.events.join('; ')}` : ''}`;
  if (trial.problems.length === 0) return head;
  const shown = trial.problems.slice(0, 8).map((problem) => `       - ${problem}`);
  if (trial.problems.length > 8) shown.push(`       - ... and ${trial.problems.length - 8} more`);
  return [head, ...shown, `       work dir kept: ${trial.workDir}`].join('\n');
}

/** The summary table and the final `N passed, N failed` line. */
export function formatSummary(result: SuiteResult): string {
  const rows = [['scenario', 'trials', 'resumes (total / max)', 'outcome', 'time'], ...result.summaries.map((s) => [
    s.scenario,
    String(s.trials) + (s.skipped ? ` (+${s.skipped} skipped)` : ''),
    `${s.resumes} / ${s.maxResumes}`,
    s.failed === 0 ? (s.trials > 0 ? 'all checks passed' : 'not run') : `${s.failed} FAILED`,
    `${(s.ms / 1000).toFixed(1)} s`,
  ])];
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  const line = (row: string[]): string => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd();
  return [
    line(rows[0] as string[]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    '',
    `seed ${result.seed}, ${(result.ms / 1000).toFixed(1)} s in all${result.skipped ? `, ${result.skipped} trial(s) skipped (time budget)` : ''}`,
    `${result.passed} passed, ${result.failed} failed`,
  ].join('\n');
}
