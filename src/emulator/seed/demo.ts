import { DEMO_MODULE_SPECS, DEMO_MODULES, moduleDocument } from './demo-modules.js';
import { DEMO_CLIENTS, DEMO_DIVISIONS, DEMO_USERS } from './demo-names.js';
import { planFlows, type PlannedFlow } from './demo-plan.js';
import { DemoRandom } from './demo-random.js';
import { buildFlow, type BuiltFlow } from './demo-shapes.js';
import { Commented, DEFAULT_LAYOUT, toYamlText, type YamlValue } from './demo-yaml.js';
import type { SeedDivision, SeedFixture, SeedFlow, SeedLock } from './types.js';

export interface DemoOrgOptions {
  /** Number of inbound flows (default 360). */
  flowCount?: number;
  /** PRNG seed; the same seed gives the same org byte for byte (default 1). */
  seed?: number;
  /** Share of flows generated over 1,000 lines (default 0.05; the engine benchmark uses 0.25). */
  largeFlowShare?: number;
}

export { DEMO_MODULES, DEMO_MODULE_SPECS } from './demo-modules.js';
export { DEMO_USERS, DEMO_CLIENTS, DEMO_DIVISIONS } from './demo-names.js';

/** Large flows are grown to a random size in this range (lines). */
const LARGE_LINES = { min: 1030, max: 1300 } as const;

function checkOptions(options: DemoOrgOptions): Required<DemoOrgOptions> {
  const { flowCount = 360, seed = 1, largeFlowShare = 0.05 } = options;
  if (!Number.isInteger(flowCount) || flowCount < 0) throw new RangeError(`flowCount must be a whole number >= 0, got ${flowCount}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!(largeFlowShare >= 0 && largeFlowShare <= 1)) throw new RangeError(`largeFlowShare must be within 0..1, got ${largeFlowShare}`);
  return { flowCount, seed, largeFlowShare };
}

function render(built: BuiltFlow, flow: PlannedFlow): string {
  return toYamlText(built.tree, flow.layout, built.header);
}

/** Published versions oldest first; older ones differ in their description and lack the newest module calls. */
function versions(built: BuiltFlow, flow: PlannedFlow): { published: string[]; draft?: string } {
  const latest = render(built, flow);
  const description = built.body.description;
  const published: string[] = [];
  if (flow.publishedVersions > 1) {
    // The item may since have been wrapped (a comment above it): match the wrapper too.
    const removed = built.callSites.map(({ list, item }) => {
      const index = list.findIndex((x) => x === item || (x instanceof Commented && x.value === item));
      if (index < 0) throw new Error(`${flow.name}: lost track of a module call`);
      return { list, index, element: list.splice(index, 1)[0] as YamlValue };
    });
    for (let v = 1; v < flow.publishedVersions; v++) {
      built.body.description = `${String(description)} (revision ${v})`.trim();
      published.push(render(built, flow));
    }
    // Put the calls back where they were (in reverse, so earlier indices stay valid).
    for (const { list, index, element } of removed.reverse()) list.splice(index, 0, element);
    built.body.description = description as string;
  }
  if (flow.publishedVersions > 0) published.push(latest);
  if (flow.state === 'neverPublished') return { published, draft: latest };
  if (flow.state === 'draft') {
    built.body.description = `${String(description)} Draft: new routing hours.`.trim();
    return { published, draft: render(built, flow) };
  }
  return { published };
}

export interface DemoOrgStream {
  divisions: SeedDivision[];
  /** The org's flows (common modules first), built one at a time as they are iterated; iterate once. */
  flows: Iterable<SeedFlow>;
}

/**
 * The demo org with its flows built lazily, for callers that process flows one by one (the engine benchmark)
 * and need not hold all of their text at once. Yields exactly the flows of `generateDemoOrg(options)`.
 */
export function streamDemoOrg(options: DemoOrgOptions = {}): DemoOrgStream {
  const { flowCount, seed, largeFlowShare } = checkOptions(options);
  const rng = new DemoRandom(seed);
  const divisions = DEMO_DIVISIONS.map((name) => ({ id: rng.uuid(), name }));
  const divisionId = new Map(divisions.map((d) => [d.name, d.id]));
  const users: SeedLock[] = DEMO_USERS.map((name) => ({ kind: 'user', id: rng.uuid(), name }));
  const clients: SeedLock[] = DEMO_CLIENTS.map((name) => ({ kind: 'client', id: rng.uuid(), name }));
  const moduleIds = DEMO_MODULE_SPECS.map(() => rng.uuid());
  const plan = planFlows(flowCount, largeFlowShare, rng);

  function* flows(): Generator<SeedFlow> {
    for (const [i, spec] of DEMO_MODULE_SPECS.entries()) {
      const latest = spec.name === DEMO_MODULES.globalExceptionHandler ? 2 : 1;
      const texts: string[] = [];
      for (let revision = 1; revision <= latest; revision++) texts.push(toYamlText(moduleDocument(spec, 'Home', revision, latest), DEFAULT_LAYOUT));
      const flow: SeedFlow = { id: moduleIds[i] as string, type: 'commonmodule', name: spec.name, divisionId: divisionId.get('Home') as string, description: spec.description };
      if (spec.published) flow.published = texts;
      else flow.draft = texts[texts.length - 1] as string;
      yield flow;
    }
    for (const planned of plan) yield buildSeedFlow(planned, seed, rng, divisionId, users, clients);
  }
  return { divisions, flows: flows() };
}

function buildSeedFlow(
  planned: PlannedFlow, seed: number, rng: DemoRandom, divisionId: Map<string, string>, users: SeedLock[], clients: SeedLock[],
): SeedFlow {
  const id = rng.uuid();
  // Each flow's content has its own generator, so a flow's text does not depend on the flows built before it.
  const contentSeed = (Math.imul(seed, 0x01000193) ^ Math.imul(planned.index + 1, 0x9e3779b1)) | 0;
  const built = buildFlow({
    type: planned.type,
    name: planned.name,
    division: planned.division,
    startup: planned.startup,
    calls: planned.calls,
    transferInStartup: planned.transferInStartup,
    minLines: planned.large ? LARGE_LINES.min + (Math.abs(contentSeed) % (LARGE_LINES.max - LARGE_LINES.min)) : 0,
    layout: planned.layout,
    comments: planned.comments,
    unicode: planned.unicode,
    wideUnicode: planned.wideUnicode,
    substitutions: planned.substitutions,
    contentSeed,
  });
  const { published, draft } = versions(built, planned);
  const flow: SeedFlow = { id, type: planned.type, name: planned.name, divisionId: divisionId.get(planned.division) as string };
  if (published.length > 0) flow.published = published;
  if (draft !== undefined) flow.draft = draft;
  if (planned.state === 'locked') flow.lockedBy = planned.lockHolder === 'client' ? rng.pick(clients) : rng.pick(users);
  return flow;
}

/**
 * A deterministic, realistic Genesys Cloud org for the emulator (`--seed demo`) and the benchmarks: inbound flows
 * of the four inbound types in several divisions and real Archy shapes, four common modules (one never
 * published), and the states a rollout meets (locked, unpublished drafts, never published, already calling).
 */
export function generateDemoOrg(options: DemoOrgOptions = {}): SeedFixture {
  const { divisions, flows } = streamDemoOrg(options);
  return { divisions, flows: [...flows] };
}
