import type { Command } from 'commander';
import { addJsonOption, type CommandContext } from '../context.js';
import { addRunsOption, resolveRun, runsRootFor, shownRoot } from '../run-arg.js';
import { runStatus, type RunStatus } from '../../rollout/run-status.js';
import { RunDir, listRunIdsIn } from '../../rollout/run-dir.js';
import { forTerminal } from '../../shared/terminal-text.js';

export function register(program: Command, ctx: CommandContext): void {
  addJsonOption(
    addRunsOption(
      program
        .command('status')
        .description('runs and their per-state counts, resumable or finished (read from the local journals)')
        .argument('[run]', 'a run id or the plan file of a run'),
    ),
  ).action((run: string | undefined, options: { json?: boolean; runs?: string }) => {
    const { io } = ctx;
    const root = runsRootFor(io.host.cwd, options.runs, true);
    if (run) {
      const status = runStatus(resolveRun(run, io.host.cwd, root));
      if (options.json) return io.outJson(status);
      printOne(ctx, status, true);
      return;
    }
    const statuses = listRunIdsIn(root).map((runId) => runStatus(new RunDir(root, runId)));
    if (options.json) return io.outJson(statuses.map(({ flows: _flows, ...rest }) => rest));
    if (statuses.length === 0) io.note(`no runs yet in ${shownRoot(io.host.cwd, root)}`);
    for (const status of statuses) printOne(ctx, status, false);
  });
}

function printOne(ctx: CommandContext, status: RunStatus, withFlows: boolean): void {
  const { io } = ctx;
  const counts = Object.entries(status.counts).map(([state, n]) => `${state}=${n}`).join(' ');
  const resumable = status.resumable ? io.color.yellow('resumable') : io.color.green('complete');
  io.out(`${status.runId}  module=${forTerminal(status.module)}  apply=${status.apply}  rollback=${status.rollback}  ${resumable}  targets=${status.targets}  ${counts}`);
  if (!withFlows) return;
  for (const flow of status.flows) io.out(`  ${flow.state.padEnd(18)} ${flow.id}  ${forTerminal(flow.name)}${flow.reason ? `  (${forTerminal(flow.reason)})` : ''}`);
}
