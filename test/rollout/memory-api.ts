import { parse, stringify } from 'yaml';
import type { Flow } from '../../src/client/index.js';
import type { ExportResult, FlowMeta, ImportRegistration, ImportResult, RolloutApi } from '../../src/rollout/api-port.js';

/**
 * An in-memory org behind the `RolloutApi` port, for fast unit tests of the rewrite core. Honest where the core
 * depends on it: published versions are `N.0` and every publish takes the next one; an export returns the stored
 * text of the asked version (through `exportTransform`, to model Genesys regenerating every export); an import job
 * publishes the uploaded YAML as the next version of the flow whose `name:` (and type) it carries, and a name no
 * flow has any more gets a new twin flow with a new id (import by name, like Genesys). Every call is counted per
 * method; faults (an error with a `status`, thrown before or after the server acted) and "someone else" hooks are
 * set up per test.
 */

export type Method = Exclude<keyof RolloutApi, 'stats' | 'clock'>;

/** An error as the client raises it: an HTTP status (0: network). */
export class StatusError extends Error {
  constructor(readonly status: number, message = `request failed with status ${status}`) {
    super(message);
    this.name = 'ApiError';
  }
}

export function abortError(message = 'This operation was aborted'): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

export interface StoredVersion {
  id: string;
  type: 'PUBLISH' | 'SAVE';
  yaml: string;
}

export interface MemoryFlow {
  id: string;
  name: string;
  type: string;
  versions: StoredVersion[];
  published?: string;
  lockedBy?: NonNullable<FlowMeta['lockedBy']>;
  hasDraft: boolean;
}

export interface MemoryJob {
  id: string;
  state: ImportResult['status'];
  /** The flow the job published (or will publish, once released). */
  flowId?: string;
  messages: string[];
  yaml?: string;
  /** A hung job: how waitImport behaves while it stays Started. */
  hang?: 'timedOut' | 'reject';
}

/** What the next import of a flow does instead of publishing. */
export type ImportBehaviour =
  | { kind: 'fail'; messages?: string[] }
  | { kind: 'hang'; wait: 'timedOut' | 'reject' };

interface Fault {
  method: Method;
  /** 1-based call number of that method. */
  at: number;
  error: () => unknown;
  /** Thrown after the server acted (the response was lost) rather than before. */
  after: boolean;
}

/** Reads the flow type (lowercase top-level key) and name (its `name:`) from a flow text. */
export function flowHeader(yaml: string): { type: string; name: string } | undefined {
  if (!headers.has(yaml)) headers.set(yaml, readHeader(yaml));
  return headers.get(yaml);
}

const headers = new Map<string, { type: string; name: string } | undefined>(); // the same few texts, read again and again

function readHeader(yaml: string): { type: string; name: string } | undefined {
  try {
    const doc = parse(yaml) as Record<string, { name?: unknown }> | null;
    const key = doc && typeof doc === 'object' ? Object.keys(doc)[0] : undefined;
    const name = key ? doc![key]?.name : undefined;
    return key && typeof name === 'string' ? { type: key.toLowerCase(), name } : undefined;
  } catch {
    return undefined;
  }
}

const num = (version: string): number => Number.parseFloat(version);
const tick = (): Promise<void> => Promise.resolve();

export class MemoryOrg implements RolloutApi {
  /** A virtual clock: a sleep moves it on at once (after letting other work run), so waits cost no test time. */
  private clockMs = 0;
  readonly clock = {
    now: (): number => this.clockMs,
    sleep: async (ms: number): Promise<void> => {
      this.clockMs += Math.max(0, ms);
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
  readonly flows = new Map<string, MemoryFlow>();
  readonly jobs = new Map<string, MemoryJob>();
  /** Every job in registration order (kept when the server "forgets" jobs), for assertions. */
  readonly jobLog: MemoryJob[] = [];
  readonly calls: Record<Method, number> = {
    listFlows: 0, findModule: 0, moduleConsumersByVersion: 0, getFlows: 0, exportFlows: 0, registerImport: 0,
    uploadImport: 0, waitImport: 0, getImport: 0, moduleConsumers: 0, flowVersions: 0,
  };
  /** Applied to every exported text (Genesys regenerates exports: refIds renamed, layout re-emitted). */
  exportTransform: (yaml: string) => string = (yaml) => yaml;
  /** Export results that are errors (an export job that failed for that flow). */
  readonly exportErrors = new Map<string, string>();
  /** What each exportFlows call asked for. */
  readonly exportLog: { id: string; version?: string }[][] = [];
  /** Module consumers, per dependency tracking: flow id -> { module id, module version it embeds }. */
  readonly consumers = new Map<string, { moduleId: string; version: string }>();

  private faults: Fault[] = [];
  private behaviours = new Map<string, ImportBehaviour[]>();
  private hooks: { when: 'beforeUpload' | 'afterJob'; flowId: string; run: () => void }[] = [];
  private seq = 0;
  private rateLimited = 0;

  // ---- the org, as tests set it up and look at it -------------------------------------------------------------

  /** A flow with versions 1.0 .. `version`.0, all holding `yaml`; the last one published. */
  addFlow(id: string, yaml: string, version = 1): MemoryFlow {
    const header = flowHeader(yaml);
    if (!header) throw new Error(`flow ${id}: no type and name in its YAML`);
    const flow: MemoryFlow = { id, name: header.name, type: header.type, versions: [], hasDraft: false };
    for (let n = 1; n <= version; n += 1) flow.versions.push({ id: `${n}.0`, type: 'PUBLISH', yaml });
    flow.published = `${version}.0`;
    this.flows.set(id, flow);
    return flow;
  }

  flow(id: string): MemoryFlow {
    const flow = this.flows.get(id);
    if (!flow) throw new Error(`no flow ${id}`);
    return flow;
  }

  /** The text of the published version, as stored (not through the export transform). */
  publishedYaml(id: string): string | undefined {
    const flow = this.flow(id);
    return flow.versions.find((v) => v.id === flow.published)?.yaml;
  }

  /** Versions newer than `version`. */
  versionsAfter(id: string, version: string): StoredVersion[] {
    return this.flow(id).versions.filter((v) => num(v.id) > num(version));
  }

  /** Someone else publishes (or, `SAVE`, saves a draft of) this text as the flow's next version; returns its id. */
  publish(id: string, yaml: string, type: 'PUBLISH' | 'SAVE' = 'PUBLISH'): string {
    const flow = this.flow(id);
    const next = `${Math.max(0, ...flow.versions.map((v) => num(v.id))) + 1}.0`;
    flow.versions.push({ id: next, type, yaml });
    if (type === 'PUBLISH') {
      flow.published = next;
      flow.hasDraft = false;
    } else {
      flow.hasDraft = true;
    }
    return next;
  }

  rename(id: string, name: string): void {
    this.flow(id).name = name;
  }

  lock(id: string, by: NonNullable<FlowMeta['lockedBy']> = { kind: 'user', id: 'u-1', name: 'Alice' }): void {
    this.flow(id).lockedBy = by;
  }

  delete(id: string): void {
    this.flows.delete(id);
  }

  /** The next import of this flow (by id, matched by name at upload) fails or hangs instead of publishing. */
  nextImport(flowId: string, behaviour: ImportBehaviour): void {
    this.behaviours.set(flowId, [...(this.behaviours.get(flowId) ?? []), behaviour]);
  }

  /** The `at`-th call of `method` throws (before the server acts, or after it did: a lost response). */
  failAt(method: Method, at: number, error: () => unknown, options: { after?: boolean } = {}): void {
    this.faults.push({ method, at, error, after: options.after === true });
  }

  /** Runs once, just before the next upload of an import that targets this flow (someone else publishing first). */
  beforeUpload(flowId: string, run: () => void): void {
    this.hooks.push({ when: 'beforeUpload', flowId, run });
  }

  /** Runs once, just after the next import job of this flow ended (someone else publishing right after ours). */
  afterJob(flowId: string, run: () => void): void {
    this.hooks.push({ when: 'afterJob', flowId, run });
  }

  /** A hung job ends now: it publishes (`Success`) or fails. */
  finishJob(jobId: string, state: 'Success' | 'Failure' = 'Success'): void {
    const job = this.jobs.get(jobId);
    if (!job || job.state !== 'Started') throw new Error(`job ${jobId} is not running`);
    delete job.hang;
    if (state === 'Failure') {
      job.state = 'Failure';
      job.messages = ['the job failed'];
    } else {
      this.publishJob(job);
    }
  }

  /** The server forgets every import job (job records expire): getImport/waitImport answer 404. */
  forgetJobs(): void {
    this.jobs.clear();
  }

  /** Jobs that published this flow. */
  successfulJobs(flowId: string): MemoryJob[] {
    return this.jobLog.filter((job) => job.state === 'Success' && job.flowId === flowId);
  }

  // ---- the port ---------------------------------------------------------------------------------------------

  async listFlows(types: readonly string[]): Promise<Flow[]> {
    return this.call('listFlows', () => [...this.flows.values()].filter((f) => types.includes(f.type)).map((f) => this.asFlow(f)));
  }

  async findModule(name: string): Promise<Flow | undefined> {
    return this.call('findModule', () => {
      const module = [...this.flows.values()].find((f) => f.type === 'commonmodule' && f.name === name);
      return module ? this.asFlow(module) : undefined;
    });
  }

  async moduleConsumersByVersion(moduleId: string): Promise<{ byFlow: Map<string, string>; partial: boolean }> {
    return this.call('moduleConsumersByVersion', () => ({
      byFlow: new Map([...this.consumers].filter(([, c]) => c.moduleId === moduleId).map(([id, c]) => [id, c.version])),
      partial: false,
    }));
  }

  async moduleConsumers(moduleId: string, moduleVersion: string): Promise<{ ids: Set<string>; partial: boolean }> {
    return this.call('moduleConsumers', () => ({
      ids: new Set([...this.consumers].filter(([, c]) => c.moduleId === moduleId && c.version === moduleVersion).map(([id]) => id)),
      partial: false,
    }));
  }

  async getFlows(ids: readonly string[]): Promise<Map<string, FlowMeta>> {
    return this.call('getFlows', () => {
      const found = new Map<string, FlowMeta>();
      for (const id of ids) {
        const flow = this.flows.get(id);
        if (!flow) continue;
        found.set(id, {
          id, name: flow.name, type: flow.type, hasDraft: flow.hasDraft,
          ...(flow.published ? { publishedVersion: flow.published } : {}),
          ...(flow.lockedBy ? { lockedBy: { ...flow.lockedBy } } : {}),
        });
      }
      return found;
    });
  }

  async exportFlows(refs: readonly { id: string; version?: string }[]): Promise<Map<string, ExportResult>> {
    return this.call('exportFlows', () => {
      this.exportLog.push(refs.map((ref) => ({ ...ref })));
      const results = new Map<string, ExportResult>();
      for (const ref of refs) {
        const flow = this.flows.get(ref.id);
        const version = flow?.versions.find((v) => v.id === (ref.version ?? flow.published));
        const error = this.exportErrors.get(ref.id);
        if (error !== undefined) results.set(ref.id, { error });
        else if (!version) results.set(ref.id, { error: `flow ${ref.id} version ${ref.version ?? '(published)'} not found` });
        else results.set(ref.id, { yaml: this.exportTransform(version.yaml) });
      }
      return results;
    });
  }

  async registerImport(): Promise<ImportRegistration> {
    return this.call('registerImport', () => {
      this.seq += 1;
      const job: MemoryJob = { id: `job-${this.seq}`, state: 'Registered', messages: [] };
      this.jobs.set(job.id, job);
      this.jobLog.push(job);
      return { jobId: job.id, presignedUrl: `https://upload.invalid/${job.id}`, headers: {} };
    });
  }

  async uploadImport(registration: ImportRegistration, yaml: string): Promise<void> {
    return this.call('uploadImport', () => {
      const job = this.jobs.get(registration.jobId);
      if (!job) throw new StatusError(404, `import job ${registration.jobId} not found`);
      if (job.state !== 'Registered') throw new StatusError(409, `import job ${job.id} was already uploaded`);
      job.yaml = yaml;
      const target = this.byName(yaml);
      if (target) this.runHooks('beforeUpload', target.id);
      const matched = this.byName(yaml); // a hook may have renamed or deleted it
      const behaviour = matched ? this.behaviours.get(matched.id)?.shift() : undefined;
      if (behaviour?.kind === 'fail') {
        job.state = 'Failure';
        job.messages = behaviour.messages ?? ['the flow configuration is not valid'];
      } else if (behaviour?.kind === 'hang') {
        job.state = 'Started';
        job.hang = behaviour.wait;
        job.flowId = matched!.id;
      } else {
        this.publishJob(job);
      }
      if (job.state !== 'Started' && job.flowId) this.runHooks('afterJob', job.flowId);
    });
  }

  async waitImport(jobId: string): Promise<ImportResult> {
    return this.call('waitImport', () => {
      const job = this.jobs.get(jobId);
      if (!job) throw new StatusError(404, `import job ${jobId} not found`);
      if (job.state === 'Started' && job.hang === 'reject') throw abortError('the wait for the import job was given up');
      if (job.state === 'Started') return { ...this.result(job), messages: [`import job ${jobId} is still running`], timedOut: true as const };
      return this.result(job);
    });
  }

  async getImport(jobId: string): Promise<ImportResult> {
    return this.call('getImport', () => {
      const job = this.jobs.get(jobId);
      if (!job) throw new StatusError(404, `import job ${jobId} not found`);
      return this.result(job);
    });
  }

  async flowVersions(flowId: string): Promise<{ id: string; type?: string }[]> {
    return this.call('flowVersions', () => {
      const flow = this.flows.get(flowId);
      if (!flow) throw new StatusError(404, `flow ${flowId} not found`);
      return [...flow.versions].reverse().map((v) => ({ id: v.id, type: v.type }));
    });
  }

  stats(): { requests: number; rateLimited: number } {
    return { requests: Object.values(this.calls).reduce((a, b) => a + b, 0), rateLimited: this.rateLimited };
  }

  // ---- inside ---------------------------------------------------------------------------------------------

  private async call<T>(method: Method, act: () => T): Promise<T> {
    await tick();
    this.calls[method] += 1;
    const fault = this.faults.find((f) => f.method === method && f.at === this.calls[method]);
    if (fault && !fault.after) this.raise(fault);
    const result = act();
    if (fault?.after) this.raise(fault);
    await tick();
    return result;
  }

  private raise(fault: Fault): never {
    const error = fault.error();
    if ((error as { status?: unknown }).status === 429) this.rateLimited += 1;
    throw error;
  }

  private byName(yaml: string): MemoryFlow | undefined {
    const header = flowHeader(yaml);
    return header ? [...this.flows.values()].find((f) => f.name === header.name && f.type === header.type) : undefined;
  }

  /** The job publishes its YAML onto the flow of that name, or, when there is none, onto a new twin flow. */
  private publishJob(job: MemoryJob): void {
    const header = flowHeader(job.yaml ?? '');
    if (!header) {
      job.state = 'Failure';
      job.messages = ['the uploaded file is not a flow'];
      return;
    }
    let flow = this.byName(job.yaml!);
    if (flow?.lockedBy) {
      job.state = 'Failure';
      job.messages = [`flow ${flow.id} is locked`];
      return;
    }
    if (!flow) {
      this.seq += 1;
      flow = { id: `twin-${this.seq}`, name: header.name, type: header.type, versions: [], hasDraft: false };
      this.flows.set(flow.id, flow);
    }
    this.publish(flow.id, job.yaml!);
    job.state = 'Success';
    job.flowId = flow.id;
  }

  private runHooks(when: 'beforeUpload' | 'afterJob', flowId: string): void {
    // One hook per moment: hooks set up for the same flow run at its next moments, in order.
    const due = this.hooks.find((hook) => hook.when === when && hook.flowId === flowId);
    if (!due) return;
    this.hooks = this.hooks.filter((hook) => hook !== due);
    due.run();
  }

  private result(job: MemoryJob): ImportResult {
    return { status: job.state, ...(job.flowId && job.state === 'Success' ? { flowId: job.flowId } : {}), messages: [...job.messages] };
  }

  private asFlow(flow: MemoryFlow): Flow {
    return {
      id: flow.id, name: flow.name, type: flow.type.toUpperCase(),
      ...(flow.published ? { publishedVersion: { id: flow.published } } : {}),
      ...(flow.lockedBy ? { lockedUser: { id: flow.lockedBy.id ?? '', ...(flow.lockedBy.name ? { name: flow.lockedBy.name } : {}) } } : {}),
    };
  }
}

/**
 * What Genesys does to a flow between import and export (genesys-api.md §15): every refId renamed `<id>_<n>`,
 * every reference made absolute, the text re-emitted with another layout. The meaning is unchanged; the bytes are not.
 */
export function regenerateExport(yaml: string): string {
  if (!regenerated.has(yaml)) regenerated.set(yaml, regenerate(yaml));
  return regenerated.get(yaml)!;
}

const regenerated = new Map<string, string>();

function regenerate(yaml: string): string {
  const header = flowHeader(yaml);
  const root = header ? Object.keys(parse(yaml) as object)[0]! : 'inboundCall';
  const renamed = new Map<string, string>();
  let n = 10;
  for (const match of yaml.matchAll(/refId: ["']?([^\s"']+)/g)) if (!renamed.has(match[1]!)) renamed.set(match[1]!, `${match[1]}_${n++}`);
  const text = yaml
    .replace(/refId: ["']?([^\s"']+)["']?/g, (_m, id: string) => `refId: ${renamed.get(id) ?? id}`)
    .replace(/(?:\.\/|\/[A-Za-z]+\/)([A-Za-z]+)\/([A-Za-z]+)\[([^\]]+)\]/g, (_m, list: string, kind: string, id: string) => `/${root}/${list}/${kind}[${renamed.get(id) ?? id}]`);
  return `# exported\n${stringify(parse(text), { indent: 4, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })}`;
}
