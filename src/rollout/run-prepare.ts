import { rmSync, writeFileSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { openFileDurably } from './durable-write.js';
import { Journal, readJournal } from './journal.js';
import { provenYaml } from './plan-edit.js';
import { sha256, type PlanFlow, type PlanHeader } from './plan-format.js';
import { planFlows, readPlanHead, type PlanHead } from './plan-read.js';
import { planPieces } from './plan-write.js';
import type { RunDir } from './run-dir.js';
import { isTarget } from './states.js';
import { collectIfGrown } from '../shared/heap-keeper.js';

/** A flow of the plan as the run keeps it: metadata only, its texts are in the run directory. */
export type RunFlow = Omit<PlanFlow, 'original' | 'updated' | 'diff'> & { updatedSha256?: string };

export interface PreparedRun {
  checksum: string;
  /** The plan without its flows: what the change of each flow is read from (flowChange), for rebases. */
  header: PlanHeader;
  flows: RunFlow[];
  resumed: boolean;
  startedAt: string;
  journal: Journal;
}

/**
 * The run directory before the first write: the plan's copy (every target proven on the way, its planned YAML
 * beside it), the journal's start, and the backups (durable). Returns the flows' metadata only.
 */
export async function prepareRun(head: PlanHead, runDir: RunDir, fresh: boolean): Promise<PreparedRun> {
  const resumed = readJournal(runDir.journalPath).length > 0;
  runDir.create();
  let flows: RunFlow[];
  try {
    flows = await copyProvenPlan(head, runDir);
  } catch (error) {
    // A plan refused here leaves no run behind (the lock's release removes the then empty directory).
    if (fresh) {
      rmSync(runDir.plannedPath, { recursive: true, force: true });
      rmSync(runDir.backupsPath, { recursive: true, force: true });
    }
    throw error;
  }
  const journal = new Journal(runDir.journalPath);
  const startedAt = new Date().toISOString();
  journal.append(resumed ? 'run-resumed' : 'run-started', { runId: runDir.runId, module: head.header.module.name });
  await writeBackups(runDir, flows, head.checksum, journal);
  return { checksum: head.checksum, header: head.header, flows, resumed, startedAt, journal };
}

/**
 * Copies the plan into the run directory flow by flow, proving each target on the way (plan-edit.ts provenYaml)
 * and writing its planned YAML; the copy is in place only if every target is proven and the checksum holds at
 * the end (else its temporary file is dropped and the error stands).
 */
async function copyProvenPlan(head: PlanHead, runDir: RunDir): Promise<RunFlow[]> {
  const flows: RunFlow[] = [];
  function* proven(): Generator<PlanFlow> {
    for (const flow of planFlows(head)) {
      const { original, updated: _updated, diff: _diff, ...meta } = flow;
      if (isTarget(flow.state)) {
        const yaml = provenYaml(head.header, flow);
        // Rewritten at every start from the plan, so it needs no fsync: the sha256 is checked before each upload.
        writeFileSync(runDir.plannedYamlPath(flow.id), yaml);
        flows.push({ ...meta, sha256: flow.sha256 ?? sha256(original ?? ''), updatedSha256: sha256(yaml) });
      } else {
        flows.push(meta);
      }
      yield flow;
    }
  }
  const file = openFileDurably(runDir.planPath);
  try {
    let pieces = 0;
    for (const piece of planPieces(head.header, proven(), head.checksum)) {
      file.write(piece);
      if (++pieces % YIELD_EVERY === 0) {
        collectIfGrown();
        await setImmediate();
      }
    }
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
  return flows;
}

/**
 * Flows proven between turns of the event loop: preparing 10,000 flows takes tens of seconds, and a signal, the
 * progress display and the client's timers are served meanwhile. (It made no measurable difference to peak memory.)
 */
const YIELD_EVERY = 50;

/** Backups written durably together (one fsync of the directory and one journal line write each). */
const BACKUP_BATCH = 100;

/**
 * The backups that are not on disk yet, from the run's own copy of the plan (proven just now; the plan file
 * itself could have changed meanwhile), a hundred flows at a time: each batch is durable before it is journaled.
 */
async function writeBackups(runDir: RunDir, flows: readonly RunFlow[], planChecksum: string, journal: Journal): Promise<void> {
  const missing = new Set(flows.filter((flow) => isTarget(flow.state) && !runDir.hasBackup(flow.id, flow.publishedVersion)).map((flow) => flow.id));
  if (missing.size === 0) return;
  let batch: PlanFlow[] = [];
  const flush = (): void => {
    runDir.writeBackups(batch.map((flow) => ({
      flowId: flow.id, version: flow.publishedVersion, yaml: flow.original ?? '',
      metadata: {
        id: flow.id, name: flow.name, type: flow.type, division: flow.division,
        publishedVersion: flow.publishedVersion, sha256: flow.sha256, planChecksum,
      },
    })));
    journal.appendMany(batch.map((flow) => ['backup-written', { flowId: flow.id, version: flow.publishedVersion }] as const));
    batch = [];
  };
  for (const flow of planFlows(readPlanHead(runDir.planPath))) {
    if (!missing.has(flow.id)) continue;
    batch.push(flow);
    if (batch.length >= BACKUP_BATCH) {
      flush();
      collectIfGrown();
      await setImmediate();
    }
  }
  if (batch.length > 0) flush();
}
