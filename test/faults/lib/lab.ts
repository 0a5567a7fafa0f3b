import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, type EmulatorHandle } from '../../../src/emulator/index.js';
import { readPlanFile, runIdForPlan, type PlanFile } from '../../../src/rollout/plan-file.js';
import { RunDir } from '../../../src/rollout/run-dir.js';
import { controlPlane, type ControlPlane } from './control.js';
import { flowsFingerprint, snapshotOrg, type OrgSnapshot } from './org-snapshot.js';
import { EmulatorProcess, freePort, spawnCli, type Exit } from './processes.js';
import { JOB_MS, MODULE, PROCESS_TIMEOUT_MS, RATE_LIMIT } from './settings.js';


/** One emulator with its plan, the org as it was before any apply, and a clean apply's duration. */
export interface Stage {
  control: ControlPlane;
  process?: EmulatorProcess;
  planPath: string;
  plan: PlanFile;
  baseline: OrgSnapshot;
  fingerprint: string;
  calibration: { ms: number; journalLines: number };
}

export interface LabOptions {
  /** The plan's selector flags (e.g. `--prefix Sales_Line_`): the size of each trial. */
  select: string[];
  log: (line: string) => void;
  /** Also start the spawned emulator that the restart scenario kills. */
  restartable: boolean;
  /** Extra flags for every apply (the small suite runs one wave with `--concurrency 8`). */
  applyArgs?: string[];
}

/** The CLI's environment against a stage: credentials only in the environment, as users run it. */
export function cliEnv(stage: Stage): Record<string, string> {
  return { GENESYS_ENVIRONMENT: stage.control.url, GENESYS_CLIENT_ID: DEFAULT_CLIENT_ID, GENESYS_CLIENT_SECRET: DEFAULT_CLIENT_SECRET };
}

/**
 * The emulators a fault suite runs against: the in-process one for most scenarios, and (for the restart scenario)
 * a spawned `flowlink emulator --data DIR` on a fixed free port. Both serve the demo org; a reset brings it back.
 */
export class Lab {
  private readonly dirs: string[] = [];
  private handle: EmulatorHandle | undefined;
  shared: Stage | undefined;
  restartable: Stage | undefined;

  constructor(private readonly options: LabOptions) {}

  async open(): Promise<void> {
    this.handle = await startEmulator({ seed: 'demo', rateLimit: RATE_LIMIT, jobMs: JOB_MS });
    this.shared = await this.stage(controlPlane(this.handle.url));
    if (this.options.restartable) {
      const dataDir = this.tempDir('flowlink-faults-data-');
      const process = new EmulatorProcess(['--seed', 'demo', '--rate-limit', String(RATE_LIMIT), '--job-ms', String(JOB_MS)], await freePort(), dataDir);
      const url = await process.start();
      // Same org, plan shape and settings: the shared stage's calibration holds here too.
      this.restartable = await this.stage(controlPlane(url), process, this.shared.calibration);
    }
  }

  async close(): Promise<void> {
    await this.restartable?.process?.stop();
    await this.handle?.close();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  /** Leaves a directory on disk after close (a failed trial's, for inspection). */
  keep(dir: string): void {
    const at = this.dirs.indexOf(dir);
    if (at >= 0) this.dirs.splice(at, 1);
  }

  tempDir(prefix = 'flowlink-faults-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** A fresh working directory holding a copy of the stage's plan (a run directory appears beside it). */
  workDir(stage: Stage): { cwd: string; runDir: string } {
    const cwd = this.tempDir();
    copyFileSync(stage.planPath, join(cwd, 'plan.json'));
    return { cwd, runDir: new RunDir(RunDir.runsRoot(cwd), runIdForPlan(stage.plan)).path };
  }

  /** After a reset the org must be the baseline again; if it is not, the baseline is taken anew (and said so). */
  async resetStage(stage: Stage): Promise<void> {
    await stage.control.reset();
    const fingerprint = await flowsFingerprint(stage.control);
    if (fingerprint !== stage.fingerprint) {
      this.options.log('fault suite: the org after a reset differs from the baseline; taking a new baseline');
      stage.baseline = await snapshotOrg(stage.control);
      stage.fingerprint = fingerprint;
    }
  }

  get applyArgs(): string[] {
    return this.options.applyArgs ?? [];
  }

  private async stage(control: ControlPlane, process?: EmulatorProcess, calibration?: Stage['calibration']): Promise<Stage> {
    await control.reset();
    const dir = this.tempDir();
    const partial = { control, ...(process ? { process } : {}) } as Stage;
    const planned = await run(['plan', '--module', MODULE, ...this.options.select, '--out', 'plan.json'], dir, cliEnv(partial));
    if (planned.code !== 0) throw new Error(`fault suite: plan failed (${planned.code}): ${planned.stderr}`);
    const planPath = join(dir, 'plan.json');
    const plan = readPlanFile(planPath);
    const stage: Stage = {
      ...partial, planPath, plan,
      baseline: await snapshotOrg(control),
      fingerprint: await flowsFingerprint(control),
      calibration: calibration ?? { ms: 0, journalLines: 0 },
    };
    if (calibration) return stage;
    // One clean apply: how long a run takes and how many journal lines it writes, to spread kill points over.
    const { cwd, runDir } = this.workDir(stage);
    const clean = await run(['apply', 'plan.json', '--yes', ...this.applyArgs], cwd, cliEnv(stage));
    if (clean.code !== 0) throw new Error(`fault suite: the clean calibration apply failed (${clean.code}): ${clean.stderr}`);
    stage.calibration = { ms: clean.ms, journalLines: readFileSync(join(runDir, 'journal.jsonl'), 'utf8').trim().split('\n').length };
    await this.resetStage(stage);
    return stage;
  }
}

async function run(args: string[], cwd: string, env: Record<string, string>): Promise<Exit> {
  return spawnCli(args, { cwd, env, timeoutMs: PROCESS_TIMEOUT_MS }).done;
}
