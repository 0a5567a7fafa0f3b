import { randomUUID } from 'node:crypto';
import { readFlowDocument } from '../../archy/flow-document.js';
import { findModuleCalls } from '../../archy/module-calls.js';
import type { Emulator } from '../../context.js';
import type { StateEvent } from '../../state/events.js';
import { HOME_DIVISION } from '../../state/seed.js';
import type { FlowMeta, ImportJobRecord, JobMessage, VersionRecord } from '../../state/types.js';
import { flowEvent } from '../flows/actions.js';
import { divisionByName, findFlowByNameAndType, moduleCallProblems } from '../flows/model.js';

/**
 * The import job (POST /flows/jobs + presigned PUT): the uploaded Archy YAML is really read and validated like a
 * publish; on Success the exact text becomes the flow's new published version, on Failure nothing changes.
 */

export function message(now: number, text: string, type: JobMessage['type'] = 'Error'): JobMessage {
  return { dateTime: new Date(now).toISOString(), type, text };
}

export function registerImportJob(emu: Emulator, clientId: string, createStubs: boolean, now: number): ImportJobRecord {
  const job: ImportJobRecord = { id: randomUUID(), status: 'Registered', clientId, createStubs, createdAt: now, messages: [] };
  emu.store.commit([{ t: 'importJob', job }]);
  return job;
}

/** The upload starts the job; fault rules for the flow's name decide now whether it will fail or hang. */
export function startImportJob(emu: Emulator, job: ImportJobRecord, text: string, now: number): void {
  const read = readFlowDocument(text);
  const name = read.ok ? read.doc.name : read.name;
  const fault = emu.faults.forImport(name);
  const started: ImportJobRecord = {
    ...job,
    status: 'Started',
    dueAt: now + emu.options.jobMs,
    ...(fault.hang ? { hang: true } : {}),
    ...(fault.failure ? { forcedFailure: fault.failure } : {}),
  };
  emu.store.commit([{ t: 'importText', id: job.id, text }, { t: 'importJob', job: started }]);
}

/** Runs a due import job to Success or Failure. */
export function finishImportJob(emu: Emulator, jobId: string, now: number): void {
  const job = emu.store.state.importJobs.get(jobId);
  const text = emu.store.state.importTexts.get(jobId);
  if (!job || job.status !== 'Started' || job.hang) return;
  const fail = (texts: string[]): void => {
    emu.store.commit([
      { t: 'importJob', job: { ...job, status: 'Failure', messages: [...job.messages, ...texts.map((t) => message(now, t))] } },
      { t: 'importText', id: jobId, text: null },
    ]);
  };
  if (text === undefined) return fail(['No flow file was uploaded for this job.']);
  if (job.forcedFailure) return fail([job.forcedFailure]);

  const read = readFlowDocument(text);
  if (!read.ok) return fail(read.errors);
  const doc = read.doc;
  const state = emu.store.state;
  const existing = findFlowByNameAndType(state, doc.name, doc.type);
  if (existing?.lock && !(existing.lock.kind === 'client' && existing.lock.id === job.clientId)) {
    return fail([
      `Flow '${doc.name}' of type ${doc.type} is locked by another entity (${existing.lock.name}). You can use the --forceUnlock command line parameter if you wish to publish flows locked by another entity.`,
    ]);
  }
  let divisionId = existing?.divisionId ?? HOME_DIVISION.id;
  if (doc.division !== undefined) {
    const division = divisionByName(state, doc.division);
    if (!division) return fail([`Division '${doc.division}' named by flow '${doc.name}' was not found.`]);
    divisionId = division.id;
  } else if (!existing) {
    divisionId = divisionByName(state, 'Home')?.id ?? HOME_DIVISION.id;
  }
  const problems = moduleCallProblems(state, doc.type, findModuleCalls(doc.value));
  if (problems.length > 0) return fail(problems.map((p) => `Flow '${doc.name}': ${p}`));

  const flowId = existing?.id ?? randomUUID();
  const n = existing?.nextVersion ?? 1;
  const version: VersionRecord = {
    id: `${n}.0`, n, type: 'PUBLISH', text, dateCreated: now, datePublished: now,
    createdBy: { kind: 'client', id: job.clientId, name: emu.client.name },
  };
  const events: StateEvent[] = [];
  const patch: Partial<FlowMeta> = {
    name: doc.name,
    divisionId,
    nextVersion: n + 1,
    publishedVersionId: version.id,
    checkedInVersionId: version.id,
    savedVersionId: undefined, // an import supersedes any draft
    lock: undefined, // the job checks out, checks in and publishes: the importer's own lock ends
    ...(doc.description !== undefined ? { description: doc.description } : {}),
  };
  if (existing) {
    events.push(flowEvent(existing, { ...patch, publishHistory: [...existing.publishHistory, { versionId: version.id, at: now }] }));
  } else {
    const meta: FlowMeta = {
      id: flowId, name: doc.name, type: doc.type, divisionId, description: doc.description ?? '', deleted: false,
      nextVersion: n + 1, publishedVersionId: version.id, checkedInVersionId: version.id,
      publishHistory: [{ versionId: version.id, at: now }],
    };
    events.push({ t: 'flow', flow: meta });
  }
  events.push(
    { t: 'version', flowId, version },
    { t: 'importJob', job: { ...job, status: 'Success', flowId } },
    { t: 'importText', id: jobId, text: null },
  );
  emu.store.commit(events);
}
