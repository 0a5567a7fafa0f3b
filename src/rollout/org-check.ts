import type { RolloutApi } from './api-port.js';
import { PlanError } from './errors.js';
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
