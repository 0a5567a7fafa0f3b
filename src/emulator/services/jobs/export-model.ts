import { randomUUID } from 'node:crypto';
import { zipSync, strToU8 } from 'fflate';
import { isFlowType } from '../../../genesys/flow-types.js';
import { isRecord } from '../../archy/parse.js';
import { regenerateExport } from '../../archy/regenerate-export.js';
import type { Emulator } from '../../context.js';
import { ApiError, badRequest } from '../../core/errors.js';
import type { ExportItem, ExportJobRecord, FlowRecord, JobMessage, VersionRecord } from '../../state/types.js';
import { findFlowByNameAndType, findVersion, latestVersion, versionText } from '../flows/model.js';
import { message } from './import-model.js';

export const MAX_EXPORT_FLOWS = 100;

/**
 * Export jobs: each requested flow is resolved now (by id, or by name + type; a version or the latest
 * saved/checked-in/published one); flows that cannot be exported become Error messages naming them. The job
 * finishes `jobMs` later: Success when anything was exportable, Failure otherwise.
 */
export function registerExportJob(emu: Emulator, body: unknown, now: number): ExportJobRecord {
  if (!isRecord(body) || !Array.isArray(body.flows)) throw badRequest('The request body must be {"flows": [...]}.', 'invalid.value');
  const entries = body.flows;
  if (entries.length < 1 || entries.length > MAX_EXPORT_FLOWS) {
    throw new ApiError(400, 'invalid.value', `An export job takes from 1 to ${MAX_EXPORT_FLOWS} flows (got ${entries.length}).`);
  }
  const items: ExportItem[] = [];
  const messages: JobMessage[] = [];
  const usedNames = new Set<string>();
  for (const entry of entries) {
    const resolved = resolveEntry(emu, entry);
    if ('error' in resolved) {
      messages.push(message(now, resolved.error));
      continue;
    }
    let fileName = resolved.fileName;
    for (let i = 2; usedNames.has(fileName.toLowerCase()); i += 1) fileName = resolved.fileName.replace(/\.yaml$/, `-${i}.yaml`);
    usedNames.add(fileName.toLowerCase());
    items.push({ flowId: resolved.flowId, versionId: resolved.versionId, fileName });
  }
  const job: ExportJobRecord = {
    id: randomUUID(), status: 'Started', createdAt: now, dueAt: now + emu.options.jobMs, totalFlows: entries.length, items, messages,
  };
  emu.store.commit([{ t: 'exportJob', job }]);
  writeWhileRunning(emu, job);
  return job;
}

/**
 * Genesys writes an export while its job runs, and the download is a stored file; here the YAML is regenerated
 * (milliseconds a flow) in the background as the job runs, a flow per turn of the event loop, so that neither the
 * download nor the requests answered meanwhile wait for a hundred flows' regeneration in one block (it would hold
 * every other client's answer: nothing Genesys does). What is not written by the download is written then.
 */
function writeWhileRunning(emu: Emulator, job: ExportJobRecord): void {
  if (emu.options.exportMode === 'verbatim') return;
  const pending = [...job.items];
  const next = (): void => {
    const item = pending.shift();
    if (!item) return;
    const version = itemVersion(emu, item);
    if (version) exportText(emu, version);
    setImmediate(next);
  };
  setImmediate(next);
}

/** The version an export item names, if its flow still has it. */
function itemVersion(emu: Emulator, item: ExportItem): VersionRecord | undefined {
  const flow = emu.store.state.flows.get(item.flowId);
  return flow ? findVersion(flow, item.versionId) : undefined;
}

function resolveEntry(emu: Emulator, entry: unknown): { flowId: string; versionId: string; fileName: string } | { error: string } {
  if (!isRecord(entry) || !isRecord(entry.flow)) return { error: 'An export entry has no flow reference.' };
  const ref = entry.flow;
  const exportType = typeof entry.exportType === 'string' ? entry.exportType : 'Yaml';
  const label = typeof ref.id === 'string' ? ref.id : `${String(ref.name)} (${String(ref.type)})`;
  if (exportType.toLowerCase() !== 'yaml') return { error: `Flow ${label}: export type '${exportType}' is not supported by the emulator (only Yaml).` };
  let flow: FlowRecord | undefined;
  if (typeof ref.id === 'string') flow = emu.store.state.flows.get(ref.id);
  else if (typeof ref.name === 'string' && typeof ref.type === 'string' && isFlowType(ref.type.toLowerCase())) {
    flow = findFlowByNameAndType(emu.store.state, ref.name, ref.type.toLowerCase() as FlowRecord['type']);
  } else return { error: 'An export entry needs flow.id, or flow.name and flow.type.' };
  if (!flow || flow.deleted) return { error: `Could not find the flow with id ${label}.` };
  const wanted = typeof ref.version === 'string' ? ref.version : typeof entry.version === 'string' ? entry.version : undefined;
  const version = wanted === undefined ? latestVersion(flow) : findVersion(flow, wanted);
  if (!version) {
    return { error: wanted === undefined ? `Flow ${flow.id} has no configuration to export.` : `Flow ${flow.id} has no version ${wanted}.` };
  }
  let fileName: string;
  if (entry.fileName === undefined || entry.fileName === null) fileName = defaultFileName(flow.name, version.id);
  else if (typeof entry.fileName === 'string' && FILE_NAME.test(entry.fileName)) fileName = `${entry.fileName}.yaml`;
  else {
    return {
      error: `Flow ${flow.id}: invalid fileName ${JSON.stringify(entry.fileName)}: it may contain only letters, digits, '_' and '-' (the extension is appended).`,
    };
  }
  return { flowId: flow.id, versionId: version.id, fileName };
}

/** `ExportDetails.fileName`: letters, digits, `_` and `-`; the extension is appended (index.d.ts `ExportDetails`). */
const FILE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Archy's style, `<Name>_v<major>-<minor>.yaml` (`SimpleFinancialIvr_v2-0.yaml`), unsafe characters replaced by `_`.
 * No flow id: the real entry names are undocumented, and a client must find its entries by the `fileName` it asked for.
 */
export function defaultFileName(flowName: string, versionId: string): string {
  return `${flowName.replace(/[^A-Za-z0-9_-]/g, '_')}_v${versionId.replace(/[^0-9]+/g, '-')}.yaml`;
}

export function finishExportJob(emu: Emulator, jobId: string): void {
  const job = emu.store.state.exportJobs.get(jobId);
  if (!job || job.status !== 'Started') return;
  emu.store.commit([{ t: 'exportJob', job: { ...job, status: job.items.length > 0 ? 'Success' : 'Failure' } }]);
}

const regenerated = new WeakMap<VersionRecord, string>();

/**
 * A version as an export job writes it: with exportMode 'regenerate' (the default) new YAML generated from the
 * stored version (regenerate-export.ts; computed once per version, it is a pure function of the stored text), with
 * 'verbatim' the stored text byte for byte.
 */
export function exportText(emu: Emulator, version: VersionRecord): string {
  if (emu.options.exportMode === 'verbatim') return versionText(version);
  let text = regenerated.get(version);
  if (text === undefined) {
    text = regenerateExport(versionText(version));
    regenerated.set(version, text);
  }
  return text;
}

/**
 * The download: the YAML itself when one flow was exportable (also when more were requested), else a zip of all of
 * them, each entry under the item's file name.
 */
export function exportContent(emu: Emulator, job: ExportJobRecord): { body: Buffer; contentType: string; fileName: string } {
  const files = job.items.map((item) => {
    const version = itemVersion(emu, item);
    return { name: item.fileName, text: version ? exportText(emu, version) : '' };
  });
  if (files.length === 1) {
    const only = files[0] as { name: string; text: string };
    return { body: Buffer.from(only.text, 'utf8'), contentType: 'application/x-yaml', fileName: only.name };
  }
  const zipped = zipSync(Object.fromEntries(files.map((f) => [f.name, strToU8(f.text)])));
  return { body: Buffer.from(zipped), contentType: 'application/zip', fileName: `${job.id}.zip` };
}
