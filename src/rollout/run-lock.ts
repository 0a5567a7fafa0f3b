import { closeSync, mkdirSync, rmdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlanError } from './errors.js';

/** Who holds a run: written into the lock file, shown to whoever is refused. */
export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface RunLock {
  /** A lock left by a process that no longer exists (kill -9, a crash) was taken over: say so. */
  replacedStale?: LockOwner;
  release(): void;
}

/**
 * One run at a time per plan: an exclusive lock in the run directory and one per plan checksum in the machine's
 * temp directory (two copies of one plan applied from two working directories are one run too). Hand-written
 * rather than proper-lockfile: the lock holds only a pid, and staleness is "that pid is gone on this host", which
 * needs no mtime refreshing. A lock from another host is never taken over (its process cannot be seen from here).
 */
export function acquireRunLock(runDirPath: string, planChecksum: string, command: string): RunLock {
  mkdirSync(runDirPath, { recursive: true });
  const planLocks = join(tmpdir(), 'flowlink-locks');
  mkdirSync(planLocks, { recursive: true });
  const paths = [join(runDirPath, 'run.lock'), join(planLocks, `${planChecksum.replace(/[^a-f0-9]/gi, '').slice(0, 64)}.lock`)];
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  const taken: string[] = [];
  let replacedStale: LockOwner | undefined;
  try {
    for (const path of paths) {
      const stale = takeLock(path, owner);
      replacedStale ??= stale;
      taken.push(path);
    }
  } catch (error) {
    for (const path of taken) rmSync(path, { force: true });
    throw error;
  }
  return {
    ...(replacedStale ? { replacedStale } : {}),
    release() {
      for (const path of taken) {
        // Only our own lock is removed (a stale-lock takeover by someone else must not be undone by us).
        if (readOwner(path)?.pid === owner.pid && readOwner(path)?.host === owner.host) rmSync(path, { force: true });
      }
      // A run refused before it wrote anything leaves no empty run directory behind.
      try {
        rmdirSync(runDirPath);
      } catch {
        // not empty: a real run directory
      }
    },
  };
}

function takeLock(path: string, owner: LockOwner): LockOwner | undefined {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(owner) + '\n');
      closeSync(fd);
      return attempt === 0 ? undefined : staleSeen;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readOwner(path);
    if (holder && holder.host === owner.host && holder.pid === owner.pid) return undefined; // already ours
    // An unreadable lock younger than a few seconds is another process between creating and writing it.
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue; // released meanwhile: try again
    const unreadableAndOld = !holder && Date.now() - stat.mtimeMs > 5000;
    if (unreadableAndOld || (holder && holder.host === owner.host && !alive(holder.pid))) {
      staleSeen = holder ?? { pid: 0, host: 'unknown', startedAt: 'unknown', command: 'unknown' };
      rmSync(path, { force: true });
      continue;
    }
    if (!holder) throw new PlanError(`this plan is being started by another process right now (${path}); run this again in a moment`);
    const where = holder.host === owner.host ? `pid ${holder.pid}` : `pid ${holder.pid} on host ${holder.host}`;
    const remedy = holder.host === owner.host
      ? 'wait for it to finish, or stop it (Ctrl-C) and run this again'
      : `if that process is gone, remove ${path} and run this again`;
    throw new PlanError(`this plan is already being run (${holder.command} by ${where}, started ${holder.startedAt}); ${remedy}`);
  }
  throw new PlanError(`could not take the run lock ${path}`);
}

let staleSeen: LockOwner | undefined;

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? 'unknown'), command: String(parsed.command ?? 'unknown') };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
