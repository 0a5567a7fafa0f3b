import type { GenesysClient } from '../client/index.js';
import type { ExportResult, RolloutApi } from './api-port.js';
import { rolloutApiFromClient } from './client-adapter.js';
import { openFileDurably } from './durable-write.js';
import type { ListRow } from './list-flows.js';
import { PlanHasher, type PlanFile, type PlanFlow } from './plan-format.js';
import { gatherListing, planner, type PlanListing, type PlanRequest } from './plan.js';
import { planFlowPiece, planHeadPiece, planTailPiece } from './plan-write.js';
import { isTarget } from './states.js';

/** Texts exported per job (the most one export job takes). */
const EXPORT_CHUNK = 100;
/** Export jobs in flight (as the client's own batches): the next job runs while this one's flows are planned. */
const EXPORT_JOBS = 2;

/** Where the plan's pieces go, in order: a file being written durably, or stdout (which may ask to wait). */
export interface PlanSink {
  write(piece: string): void | Promise<void>;
}

/**
 * Plans straight into `sink`, flow by flow: the listing first, then the candidates' texts exported a hundred at a
 * time (two jobs ahead) and each flow written as soon as it is planned, so that planning holds a few hundred
 * texts, not every one (the same requests as gatherFacts). `open` is called once the listing is read (a plan
 * refused for its module or mapping opens nothing). Returns the plan as written, without its originals: what the
 * command prints.
 */
export async function writePlan(api: RolloutApi, environment: string, request: PlanRequest, open: () => PlanSink): Promise<PlanFile> {
  const listing = await gatherListing(api, environment, request);
  const { header, planFlow } = planner(listing, request);
  const sink = open();
  await sink.write(planHeadPiece(header));
  const hasher = new PlanHasher(header);
  const flows: PlanFlow[] = [];
  for await (const [row, exported] of withTexts(api, listing)) {
    const flow = planFlow(row, exported);
    hasher.add(flow);
    await sink.write(planFlowPiece(flow, flows.length === 0));
    const { original: _original, ...kept } = flow;
    flows.push(kept);
  }
  const checksum = hasher.digest();
  await sink.write(planTailPiece(checksum));
  return { ...header, flows, checksum };
}

/** writePlan into a file (durably: the file is replaced only by a whole plan), with the real client. */
export async function writePlanTo(client: GenesysClient, request: PlanRequest, path: string): Promise<PlanFile> {
  let file: ReturnType<typeof openFileDurably> | undefined;
  try {
    const plan = await writePlan(rolloutApiFromClient(client), client.environment.apiBaseUrl, request, () => (file = openFileDurably(path)));
    file?.commit();
    return plan;
  } catch (error) {
    file?.abort();
    throw error;
  }
}

/** Every row in order, each candidate with its exported text; the texts of one job are let go with its rows. */
async function* withTexts(api: RolloutApi, listing: PlanListing): AsyncGenerator<[ListRow, ExportResult | undefined]> {
  const candidates = listing.rows.filter((row) => isTarget(row.state));
  const jobs: Promise<Map<string, ExportResult>>[] = [];
  const ask = (job: number): void => {
    const refs = candidates.slice(job * EXPORT_CHUNK, (job + 1) * EXPORT_CHUNK).map((row) => ({ id: row.id, version: row.publishedVersion as string }));
    if (refs.length === 0 || jobs[job]) return;
    const pending = api.exportFlows(refs);
    pending.catch(() => undefined); // raised where it is awaited
    jobs[job] = pending;
  };
  let candidate = 0;
  let texts = new Map<string, ExportResult>();
  for (const row of listing.rows) {
    if (!isTarget(row.state)) {
      yield [row, undefined];
      continue;
    }
    const job = Math.floor(candidate / EXPORT_CHUNK);
    if (candidate % EXPORT_CHUNK === 0) {
      for (let next = job; next < job + EXPORT_JOBS; next += 1) ask(next);
      texts = await (jobs[job] as Promise<Map<string, ExportResult>>);
      delete jobs[job];
    }
    candidate += 1;
    yield [row, texts.get(row.id)];
  }
}
