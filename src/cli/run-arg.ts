import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { RunDir, findRunsRoot, listRunIdsIn } from '../rollout/run-dir.js';
import { readPlanFile, runIdForPlan } from '../rollout/plan-file.js';
import { CliError, EXIT } from './errors.js';

export const RUNS_OPTION_HELP = 'the runs directory (.flowlink/runs, or the folder that holds .flowlink); default: the nearest .flowlink/runs here or above';

/** `--runs DIR` on the commands that read or write run directories. */
export function addRunsOption(command: Command): Command {
  return command.option('--runs <dir>', RUNS_OPTION_HELP);
}

/**
 * Where the runs are. `--runs DIR` names them (DIR is the runs directory itself, or a folder holding
 * `.flowlink/runs`, or a `.flowlink` folder); otherwise the nearest `.flowlink/runs` at or above `cwd`, like git
 * finds `.git`, and `cwd/.flowlink/runs` when there is none yet. `mustExist` (status, verify, rollback): a --runs
 * DIR that is not there is a usage error.
 */
export function runsRootFor(cwd: string, runsOption: string | undefined, mustExist = false): string {
  if (runsOption === undefined) return findRunsRoot(cwd) ?? RunDir.runsRoot(cwd);
  const dir = resolve(cwd, runsOption);
  const nested = RunDir.runsRoot(dir);
  if (isDir(nested)) return nested;
  if (basename(dir) === '.flowlink' && isDir(join(dir, 'runs'))) return join(dir, 'runs');
  if (mustExist && !isDir(dir)) throw new CliError(`--runs ${runsOption}: no such directory (${dir})`, EXIT.USAGE);
  return dir;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A runs root as people read it: relative to where they are (`.flowlink/runs`, `../.flowlink/runs`). */
export function shownRoot(cwd: string, root: string): string {
  const rel = relative(cwd, root);
  return rel === '' ? '.' : isAbsolute(rel) ? root : rel;
}

/** `verify`, `rollback` and `status` take a RUN_ID or the plan file a run was made from. */
export function resolveRun(arg: string, cwd: string, root: string = runsRootFor(cwd, undefined)): RunDir {
  if (/^[\w.-]+$/.test(arg) && existsSync(resolve(root, arg, 'plan.json'))) return new RunDir(root, arg);
  const asPath = resolve(cwd, arg);
  if (existsSync(asPath) && asPath.endsWith('.json')) {
    const runDir = new RunDir(root, runIdForPlan(readPlanFile(asPath)));
    if (!runDir.exists()) throw new CliError(`no run of plan ${arg} yet in ${shownRoot(cwd, root)}: run \`flowlink apply ${arg}\` first`, EXIT.USAGE);
    return runDir;
  }
  const known = listRunIdsIn(root);
  const shown = shownRoot(cwd, root);
  const hint = known.length > 0 ? ` (known runs in ${shown}: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', ...' : ''})` : ` (no runs in ${shown})`;
  throw new CliError(`unknown run or plan file: ${arg}${hint}`, EXIT.USAGE);
}
