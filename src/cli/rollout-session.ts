import type { GenesysClient } from '../client/index.js';
import { rolloutApiFromClient } from '../rollout/client-adapter.js';
import { assertPlanBelongsToOrg } from '../rollout/org-check.js';
import type { RolloutApi } from '../rollout/api-port.js';
import type { PlanFile } from '../rollout/plan-file.js';
import { cliErrorFromApi, clientFromEnv } from './connection.js';
import type { CommandContext } from './context.js';
import { CliError, EXIT } from './errors.js';

export { DEFAULT_JOB_TIMEOUT_MS } from '../rollout/job-timeout.js';

/**
 * A client for a plan's org, after checking the plan belongs to it (rollout/org-check.ts: same API base, and the
 * plan's module id exists there), so that a plan made in another org is refused before anything is asked.
 */
export async function openRolloutSession(
  ctx: CommandContext,
  plan: Pick<PlanFile, 'environment' | 'module'>,
): Promise<{ client: GenesysClient; api: RolloutApi }> {
  const client = clientFromEnv(ctx, { abortOnSignal: false });
  if (client.environment.apiBaseUrl !== plan.environment) {
    throw new CliError(`the plan was made against ${plan.environment}, but GENESYS_ENVIRONMENT points at ${client.environment.apiBaseUrl}`, EXIT.USAGE);
  }
  // The job timeout is applied by the library (applyPlan / rollbackRun), once.
  const api = rolloutApiFromClient(client);
  try {
    await assertPlanBelongsToOrg(api, plan, client.environment.apiBaseUrl);
  } catch (error) {
    throw cliErrorFromApi(error);
  }
  return { client, api };
}
