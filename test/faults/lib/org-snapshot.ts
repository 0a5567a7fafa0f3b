import type { ControlPlane, DumpFlow, DumpImportJob } from './control.js';
import { JOB_MS } from './settings.js';

export interface FlowSnapshot {
  meta: DumpFlow;
  /** The published version's YAML, read through the real export API (undefined: nothing published). */
  yaml: string | undefined;
}

export interface OrgSnapshot {
  flows: Map<string, FlowSnapshot>;
  importJobs: DumpImportJob[];
}

/**
 * Everything the end checks compare: every flow's metadata from the control plane's state dump (versions, locks,
 * drafts) and its published YAML exported through the public API, as a user would see it.
 */
export async function snapshotOrg(control: ControlPlane): Promise<OrgSnapshot> {
  const dump = await control.state();
  const published = dump.flows.filter((flow) => !flow.deleted && flow.publishedVersionId);
  const exported = await control.client().exportJobs.exportFlows(
    published.map((flow) => ({ id: flow.id, version: flow.publishedVersionId as string })),
    // The suite's emulators finish jobs in JOB_MS; the default first look (500 ms) would triple a snapshot's time.
    { concurrency: 4, poll: { initialMs: JOB_MS, maxMs: 500 } },
  );
  const yamlOf = new Map<string, string>();
  for (const result of exported) {
    if (!result.ok) throw new Error(`snapshot: could not export flow ${result.flowId}: ${result.error}`);
    yamlOf.set(result.flowId, result.yaml);
  }
  const flows = new Map<string, FlowSnapshot>();
  for (const flow of dump.flows) flows.set(flow.id, { meta: flow, yaml: yamlOf.get(flow.id) });
  return { flows, importJobs: dump.importJobs };
}

/** The flow metadata only (cheap): to see that a reset brought back the same org as the baseline. */
export async function flowsFingerprint(control: ControlPlane): Promise<string> {
  return JSON.stringify((await control.state()).flows);
}
