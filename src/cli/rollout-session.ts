import type { GenesysClient } from '../client/index.js';
import { rolloutApiFromClient } from '../rollout/client-adapter.js';
import { withJobTimeout } from '../rollout/job-timeout.js';
import type { RolloutApi } from '../rollout/api-port.js';
import type { PlanFile } from '../rollout/plan-file.js';
import { cliErrorFromApi, clientFromEnv } from './connection.js';
import type { CommandContext } from './context.js';
import { CliError, EXIT } from './errors.js';

/** How long one import job may run before apply/rollback give up on it (`--job-timeout`). */
export const DEFAULT_JOB_TIMEOUT_MS = 600_000;

/**
 * A client for a plan's org, after checking the plan belongs to it: same API base, and the plan's module id
 * exists there (module ids are unique per org, so a plan made in another org is refused before anything is written).
 */
export async function openRolloutSession(
  ctx: CommandContext,
  plan: Pick<PlanFile, 'environment' | 'module'>,
  options: { jobTimeoutMs?: number } = {},
): Promise<{ client: GenesysClient; api: RolloutApi }> {
  const client = clientFromEnv(ctx, { abortOnSignal: false });
  if (client.environment.apiBaseUrl !== plan.environment) {
    throw new CliError(`the plan was made against ${plan.environment}, but GENESYS_ENVIRONMENT points at ${client.environment.apiBaseUrl}`, EXIT.USAGE);
  }
  const api = withJobTimeout(rolloutApiFromClient(client), options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS);
  try {
    const found = await api.getFlows([plan.module.id]);
    if (!found.has(plan.module.id)) {
      throw new CliError(`the plan's module ${plan.module.name} (${plan.module.id}) does not exist in this org: was the plan made in another org?`, EXIT.USAGE);
    }
  } catch (error) {
    throw cliErrorFromApi(error);
  }
  return { client, api };
}
