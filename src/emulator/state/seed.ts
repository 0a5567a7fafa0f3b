import { readFileSync } from 'node:fs';
import { isFlowType } from '../../genesys/flow-types.js';
import { generateDemoOrg } from '../seed/demo.js';
import type { SeedFixture, SeedFlow } from '../seed/types.js';
import type { StateEvent } from './events.js';
import type { Division, FlowMeta, VersionRecord } from './types.js';

export const HOME_DIVISION: Division = { id: '00000000-0000-4000-8000-000000000001', name: 'Home' };

/** 'demo' | 'empty' | a fixture | a JSON file path -> a validated fixture. */
export function resolveSeed(seed: unknown): SeedFixture {
  if (seed === undefined || seed === 'empty') return { divisions: [HOME_DIVISION], flows: [] };
  if (seed === 'demo') return generateDemoOrg();
  if (typeof seed === 'string') {
    let text: string;
    try {
      text = readFileSync(seed, 'utf8');
    } catch (error) {
      throw new SeedError(`cannot read seed file ${seed}: ${(error as Error).message}`);
    }
    try {
      return validateFixture(JSON.parse(text) as unknown);
    } catch (error) {
      if (error instanceof SeedError) throw error;
      throw new SeedError(`seed file ${seed} is not valid JSON: ${(error as Error).message}`);
    }
  }
  return validateFixture(seed);
}

export class SeedError extends Error {
  override name = 'SeedError';
}

export function validateFixture(value: unknown): SeedFixture {
  if (typeof value !== 'object' || value === null) throw new SeedError('a seed fixture must be an object {divisions, flows}');
  const fixture = value as Partial<SeedFixture>;
  const divisions = Array.isArray(fixture.divisions) ? fixture.divisions : [];
  const flows = Array.isArray(fixture.flows) ? fixture.flows : [];
  for (const d of divisions) {
    if (typeof d?.id !== 'string' || typeof d?.name !== 'string') throw new SeedError('every seed division needs id and name');
  }
  for (const f of flows) {
    if (typeof f?.id !== 'string' || typeof f?.name !== 'string' || typeof f?.type !== 'string' || !isFlowType(f.type)) {
      throw new SeedError(`seed flow ${JSON.stringify(f?.id ?? f?.name ?? f)} needs id, name and a lowercase flow type`);
    }
    if (f.published !== undefined && (!Array.isArray(f.published) || f.published.some((t) => typeof t !== 'string'))) {
      throw new SeedError(`seed flow ${f.id}: published must be a list of YAML strings`);
    }
    if (f.draft !== undefined && typeof f.draft !== 'string') throw new SeedError(`seed flow ${f.id}: draft must be a YAML string`);
  }
  return { divisions, flows };
}

/** The events that create a fixture's divisions and flows (replacing flows with the same id). */
export function fixtureEvents(fixture: SeedFixture, now: number, withHome: boolean): StateEvent[] {
  const events: StateEvent[] = [];
  const divisions = [...fixture.divisions];
  if (withHome && !divisions.some((d) => d.name.toLowerCase() === 'home')) divisions.unshift(HOME_DIVISION);
  for (const division of divisions) events.push({ t: 'division', division: { id: division.id, name: division.name } });
  const fallbackDivision = divisions.find((d) => d.name.toLowerCase() === 'home')?.id ?? HOME_DIVISION.id;
  for (const flow of fixture.flows) events.push(...seedFlowEvents(flow, now, fallbackDivision));
  return events;
}

function seedFlowEvents(flow: SeedFlow, now: number, fallbackDivision: string): StateEvent[] {
  const published = flow.published ?? [];
  const versions: VersionRecord[] = published.map((text, i) => ({
    id: `${i + 1}.0`,
    n: i + 1,
    type: 'PUBLISH',
    text,
    // Seeded history is old: spaced a day apart, ending an hour ago.
    dateCreated: now - 3_600_000 - (published.length - 1 - i) * 86_400_000,
    datePublished: now - 3_600_000 - (published.length - 1 - i) * 86_400_000,
  }));
  const last = versions[versions.length - 1];
  let savedVersionId: string | undefined;
  if (flow.draft !== undefined) {
    const n = versions.length + 1;
    versions.push({ id: `${n}.0`, n, type: 'SAVE', text: flow.draft, dateCreated: now - 600_000 });
    savedVersionId = `${n}.0`;
  }
  const meta: FlowMeta = {
    id: flow.id,
    name: flow.name,
    type: flow.type,
    divisionId: flow.divisionId || fallbackDivision,
    description: flow.description ?? '',
    deleted: false,
    nextVersion: versions.length + 1,
    // Seeded publishes are visible to dependency tracking at once (they happened long ago).
    publishHistory: last ? [{ versionId: last.id, at: 0 }] : [],
    ...(flow.lockedBy ? { lock: { ...flow.lockedBy } } : {}),
    ...(last ? { publishedVersionId: last.id, checkedInVersionId: last.id } : {}),
    ...(savedVersionId ? { savedVersionId } : {}),
  };
  // A replaced flow starts from no versions: drop the old record first.
  return [
    { t: 'flow', flow: { ...meta } },
    ...replaceVersions(flow.id),
    ...versions.map((version): StateEvent => ({ t: 'version', flowId: flow.id, version })),
  ];
}

function replaceVersions(flowId: string): StateEvent[] {
  return [{ t: 'versionDelete', flowId, id: '*' }];
}
