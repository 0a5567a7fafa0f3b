import type { RolloutApi } from './api-port.js';
import { PlanError, stopReasonOf } from './errors.js';
import type { PlanFile } from './plan-file.js';

/**
 * A plan is applied only to the org it was made against: the same API base (when the caller knows it), and the
 * plan's module id exists there (module ids are unique per org, so a plan made in another org is refused before
 * anything is written). In the library, so that applyPlan and rollbackRun are as safe as the CLI.
 */
export async function assertPlanBelongsToOrg(api: RolloutApi, plan: Pick<PlanFile, 'environment' | 'module'>, environment?: string): Promise<void> {
  if (environment !== undefined && environment !== plan.environment) {
    throw new PlanError(`the plan was made against ${plan.environment}, but this client points at ${environment}`);
  }
  const found = await api.getFlows([plan.module.id]);
  if (!found.has(plan.module.id)) {
    throw new PlanError(`the plan's module ${plan.module.name} (${plan.module.id}) does not exist in this org: was the plan made in another org?`);
  }
}

/**
 * The same check where an org that cannot be asked right now (429 past the retry cap, 5xx, unreachable) must not
 * turn into an error of its own: the run's first reads meet the same condition and stop it the resumable way, and
 * nothing is written to an org where the plan's flows are not found (they would be skipped as deleted).
 */
export async function assertPlanBelongsToOrgUnlessUnreachable(api: RolloutApi, plan: Pick<PlanFile, 'environment' | 'module'>, environment?: string): Promise<void> {
  try {
    await assertPlanBelongsToOrg(api, plan, environment);
  } catch (error) {
    if (stopReasonOf(error) === undefined) throw error;
  }
}
