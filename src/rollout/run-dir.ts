import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileDurably, writeFilesDurably } from './durable-write.js';
import { assertGenesysId } from './genesys-id.js';

/**
 * `.flowlink/runs/<run-id>/`: plan.json (copy), journal.jsonl, rollback.jsonl, backups/<flowId>@<version>.yaml
 * (+ .json metadata), report.json, report.csv, report.junit.xml (design.md "Run directory").
 */
export class RunDir {
  constructor(readonly root: string, readonly runId: string) {}

  static runsRoot(cwd: string): string {
    return join(cwd, '.flowlink', 'runs');
  }

  get path(): string {
    return join(this.root, this.runId);
  }
  get planPath(): string {
    return join(this.path, 'plan.json');
  }
  get journalPath(): string {
    return join(this.path, 'journal.jsonl');
  }
  get rollbackJournalPath(): string {
    return join(this.path, 'rollback.jsonl');
  }
  get backupsPath(): string {
    return join(this.path, 'backups');
  }
  /** The new YAML of each target, kept on disk so that a run of thousands of flows does not hold every text. */
  get plannedPath(): string {
    return join(this.path, 'planned');
  }

  plannedYamlPath(flowId: string): string {
    assertGenesysId(flowId, 'flow id');
    return join(this.plannedPath, `${flowId}.yaml`);
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  create(): void {
    mkdirSync(this.backupsPath, { recursive: true });
    mkdirSync(this.plannedPath, { recursive: true });
    ignoreFlowlinkDir(this.root);
  }

  backupPath(flowId: string, version: string | undefined): string {
    assertGenesysId(flowId, 'flow id');
    // A version id from a plan or a server names a file too: digits and dots only.
    if (version !== undefined && !/^[0-9]+(?:\.[0-9]+)*$/.test(version)) throw new Error(`version ${JSON.stringify(version).slice(0, 40)} is not a Genesys version id`);
    return join(this.backupsPath, `${flowId}@${version ?? 'none'}.yaml`);
  }

  /** The backup YAML (exact bytes) and its metadata, durable before the first write of the run. */
  writeBackup(flowId: string, version: string | undefined, yaml: string, metadata: Record<string, unknown>): void {
    this.writeBackups([{ flowId, version, yaml, metadata }]);
  }

  /** Backups written together: durable, every one, when this returns (durable-write.ts writeFilesDurably). */
  writeBackups(backups: readonly { flowId: string; version: string | undefined; yaml: string; metadata: Record<string, unknown> }[]): void {
    writeFilesDurably(backups.flatMap(({ flowId, version, yaml, metadata }) => {
      const path = this.backupPath(flowId, version);
      return [{ path, content: yaml }, { path: path.replace(/\.yaml$/, '.json'), content: JSON.stringify(metadata, null, 2) + '\n' }];
    }));
  }

  /** Both files: a kill between writing the YAML and its metadata must not leave the metadata missing for good. */
  hasBackup(flowId: string, version: string | undefined): boolean {
    const path = this.backupPath(flowId, version);
    return existsSync(path) && existsSync(path.replace(/\.yaml$/, '.json'));
  }

  /** apply writes report.*; rollback and verify write rollback-report.* and verify-report.* beside it. */
  reportPath(kind: 'json' | 'csv' | 'junit.xml', command: 'apply' | 'rollback' | 'verify' = 'apply'): string {
    return join(this.path, `${command === 'apply' ? '' : `${command}-`}report.${kind}`);
  }
}

/**
 * A runs root `<dir>/.flowlink/runs` gets `<dir>/.flowlink/.gitignore` (`*`) the first time it is used: run
 * directories hold backups of flows and are no repository content. An existing one is left as it is.
 */
export function ignoreFlowlinkDir(runsRoot: string): void {
  const flowlinkDir = dirname(runsRoot);
  if (basename(runsRoot) !== 'runs' || basename(flowlinkDir) !== '.flowlink') return;
  const path = join(flowlinkDir, '.gitignore');
  if (existsSync(path)) return;
  try {
    writeFileSync(path, '*\n', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * The nearest `.flowlink/runs` at or above `cwd`, the way git finds `.git`: runs made at a repository's top are
 * found from any folder below it. Undefined when there is none up to the filesystem root.
 */
export function findRunsRoot(cwd: string): string | undefined {
  let dir = cwd;
  for (;;) {
    const candidate = RunDir.runsRoot(dir);
    try {
      if (statSync(candidate).isDirectory()) return candidate;
    } catch {
      // not here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Every run id under the runs root of `cwd` (`cwd/.flowlink/runs`), newest first by directory time. */
export function listRunIds(cwd: string): string[] {
  return listRunIdsIn(RunDir.runsRoot(cwd));
}

/** Every run id under a runs root, newest first by directory time. */
export function listRunIdsIn(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'plan.json')))
    .sort((a, b) => statSync(join(root, b)).mtimeMs - statSync(join(root, a)).mtimeMs);
}
