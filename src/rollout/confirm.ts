import { compareMeaning } from '../flow/meaning.js';
import { sha256 } from './plan-file.js';
import { importText } from './import-one.js';
import {
  directlyFollows, fail, finish, progressOf, versionNumber, type RewriteItem, type RunContext,
} from './rewrite-context.js';

/** A flow is rebased at most this often in one attempt; past it, someone keeps publishing: CONFLICT. */
const MAX_REBASES = 2;
/**
 * A flow whose job succeeded but whose published version still reads as the one checked is looked at again this
 * many times (1, 2, 4, 8 s apart) before it is failed, to be confirmed by the next apply: a read may lag a publish
 * (unverified on the real API; the emulator's readLagMs models it), and taking that for a CONFLICT would be wrong.
 */
const UNSEEN_LOOKS = 5;

/**
 * Confirms imported flows from the API: DONE must be true when checked. Genesys has no compare-and-swap
 * (genesys-api.md §15.9): anyone may publish between our check and our import. So, per flow (one batched lookup
 * for all of them): its published version must directly follow the version that was checked. Where it does not:
 *  - the latest version means what we imported, and a version someone else published sits between: our import
 *    superseded their change. It is rebased (their version + the planned change, imported again, journaled) or,
 *    where no rebase is possible (rollback), reported as CONFLICT with both version ids;
 *  - the latest version is not ours: someone published after us; CONFLICT (their version is live, ours may be
 *    missing from it);
 *  - a version between means the same as ours (another run of the same plan): nothing was lost; DONE.
 * The other admin's change is never silently superseded.
 */
export async function confirmWrites(ctx: RunContext, flows: readonly RewriteItem[]): Promise<void> {
  let waiting = flows.filter((flow) => progressOf(ctx, flow).awaiting);
  let unseenLooks = 0;
  while (waiting.length > 0) {
    const metas = await ctx.api.getFlows(waiting.map((flow) => flow.id));
    const unclear: RewriteItem[] = [];
    const unseen: RewriteItem[] = [];
    for (const flow of waiting) {
      const awaiting = progressOf(ctx, flow).awaiting!;
      const version = metas.get(flow.id)?.publishedVersion;
      if (!metas.has(flow.id)) fail(ctx, flow, 'the flow was deleted after the import');
      else if (version === undefined) fail(ctx, flow, 'the flow has no published version after the import');
      else if (awaiting.base !== undefined && directlyFollows(awaiting.base, version)) finish(ctx, flow, version);
      // Still the version checked, though the job published: a read that lags the publish (versions never go back).
      else if (version === awaiting.base) unseen.push(flow);
      else unclear.push(flow);
    }
    const rebased: RewriteItem[] = [];
    if (unclear.length > 0) {
      const latest = await ctx.api.exportFlows(unclear.map((flow) => ({ id: flow.id, version: metas.get(flow.id)!.publishedVersion! })));
      for (const flow of unclear) {
        const outcome = await settle(ctx, flow, metas.get(flow.id)!.publishedVersion!, latest.get(flow.id)?.yaml);
        if (outcome === 'rebased') rebased.push(flow);
      }
    }
    if (unseen.length > 0) unseenLooks += 1;
    if (unseen.length > 0 && unseenLooks >= UNSEEN_LOOKS) {
      for (const flow of unseen) {
        fail(ctx, flow, `imported (its job succeeded), but the flow still shows version ${progressOf(ctx, flow).awaiting!.base} after ${unseenLooks} looks; apply again to confirm it`);
      }
    } else if (unseen.length > 0) {
      await ctx.api.clock.sleep(1000 * 2 ** (unseenLooks - 1));
    }
    waiting = [...rebased, ...(unseenLooks < UNSEEN_LOOKS ? unseen : [])].filter((flow) => progressOf(ctx, flow).awaiting);
  }
}

async function settle(ctx: RunContext, flow: RewriteItem, version: string, latestYaml: string | undefined): Promise<'settled' | 'rebased'> {
  const awaiting = progressOf(ctx, flow).awaiting!;
  const base = awaiting.base;
  if (latestYaml === undefined) {
    // Imported, but not confirmable now: failed, so that the next apply re-reads it (and finds it done by meaning).
    fail(ctx, flow, `imported, but version ${version} could not be exported to confirm it`);
    return 'settled';
  }
  const ours = awaiting.text();
  if (!compareMeaning(latestYaml, ours).same && flow.holdsChange?.(latestYaml)) {
    // Someone published after us, on top of our change (or made the same change): both are in the live version.
    ctx.journal.append('rebase', { flowId: flow.id, over: version, note: 'a later version by someone else holds this change' });
    finish(ctx, flow, version);
    return 'settled';
  }
  if (!compareMeaning(latestYaml, ours).same) {
    fail(ctx, flow, `published version ${version} is not the one this run wrote (after ${base ?? 'unknown'}): someone published after the import; their version is live and may lack this change`, 'CONFLICT', { versionChecked: base, versionFound: version });
    return 'settled';
  }
  if (base === undefined) {
    finish(ctx, flow, version);
    return 'settled';
  }
  // Ours is the latest; what sits between the checked version and ours?
  const between = (await ctx.api.flowVersions(flow.id))
    .filter((v) => versionNumber(v.id) > versionNumber(base) && versionNumber(v.id) < versionNumber(version))
    .sort((a, b) => versionNumber(b.id) - versionNumber(a.id));
  const theirs = between.find((v) => v.type === undefined || v.type === 'PUBLISH') ?? between[0];
  if (!theirs) {
    finish(ctx, flow, version);
    return 'settled';
  }
  const theirYaml = (await ctx.api.exportFlows([{ id: flow.id, version: theirs.id }])).get(flow.id)?.yaml;
  if (theirYaml !== undefined && compareMeaning(theirYaml, ours).same) {
    finish(ctx, flow, version); // another run wrote the same: nothing of theirs was lost
    return 'settled';
  }
  const conflict = (why: string): 'settled' => {
    fail(ctx, flow, `version ${theirs.id} was ${theirs.type === 'PUBLISH' || theirs.type === undefined ? 'published' : 'saved'} by someone else between the check (${base}) and this run's write (${version}); ${why}`, 'CONFLICT', {
      versionChecked: base, versionTheirs: theirs.id, versionOurs: version,
    });
    return 'settled';
  };
  if (theirYaml === undefined) return conflict('their version could not be exported to rebase onto it');
  if (theirs.type !== undefined && theirs.type !== 'PUBLISH') return conflict('it was a draft, which flowlink does not publish');
  if (!flow.rebase) return conflict('re-apply after checking it');
  if (awaiting.rebases >= MAX_REBASES) return conflict(`still changing after ${MAX_REBASES} rebases`);
  const rebase = flow.rebase(theirYaml);
  if ('reason' in rebase) return conflict(`the change cannot be made to their version: ${rebase.reason}`);
  ctx.journal.append('rebase', { flowId: flow.id, onto: theirs.id, over: version });
  const text = rebase.yaml;
  await importText(ctx, flow, { load: () => text, sha256: sha256(text) }, { base: version, rebases: awaiting.rebases + 1 }, { rebaseOnto: theirs.id });
  return 'rebased';
}
