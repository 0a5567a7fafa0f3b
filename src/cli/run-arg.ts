import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunDir, listRunIds } from '../rollout/run-dir.js';
import { readPlanFile, runIdForPlan } from '../rollout/plan-file.js';
import { CliError, EXIT } from './errors.js';

/** `verify`, `rollback` and `status` take a RUN_ID or the plan file a run was made from. */
export function resolveRun(arg: string, cwd: string): RunDir {
  const root = RunDir.runsRoot(cwd);
  if (/^[\w.-]+$/.test(arg) && existsSync(resolve(root, arg, 'plan.json'))) return new RunDir(root, arg);
  const asPath = resolve(cwd, arg);
  if (existsSync(asPath) && asPath.endsWith('.json')) {
    const runDir = new RunDir(root, runIdForPlan(readPlanFile(asPath)));
    if (!runDir.exists()) throw new CliError(`no run of plan ${arg} yet: run \`flowlink apply ${arg}\` first`, EXIT.USAGE);
    return runDir;
  }
  const known = listRunIds(cwd);
  const hint = known.length > 0 ? ` (known runs: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', ...' : ''})` : ' (no runs in .flowlink/runs)';
  throw new CliError(`unknown run or plan file: ${arg}${hint}`, EXIT.USAGE);
}
