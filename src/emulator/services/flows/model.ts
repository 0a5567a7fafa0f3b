import { stringify } from 'yaml';
import { archyKeyForType, type FlowType } from '../../../genesys/flow-types.js';
import { findModuleCalls, type ModuleCall } from '../../archy/module-calls.js';
import { readModuleInterface, type ModuleInterface } from '../../archy/module-interface.js';
import { isRecord, parseArchy } from '../../archy/parse.js';
import { notFound } from '../../core/errors.js';
import type { EmulatorState, FlowRecord, VersionRecord } from '../../state/types.js';

/** Lookups and derived facts about flows and versions, shared by the flow, job and dependency services. */

export function getFlow(state: EmulatorState, id: string): FlowRecord {
  const flow = state.flows.get(id);
  if (!flow) throw notFound('Could not find flow with specified ID.', 'not.found');
  return flow;
}

/** `1`, `1.0` -> the version record. */
export function findVersion(flow: FlowRecord, id: string): VersionRecord | undefined {
  const wanted = /^\d+$/.test(id) ? `${id}.0` : id;
  return flow.versions.find((v) => v.id === wanted);
}

export function versionById(flow: FlowRecord, id: string | undefined): VersionRecord | undefined {
  return id === undefined ? undefined : flow.versions.find((v) => v.id === id);
}

/** The newest of saved, checked-in and published: what an export without a version and latestconfiguration show. */
export function latestVersion(flow: FlowRecord): VersionRecord | undefined {
  const candidates = [flow.savedVersionId, flow.checkedInVersionId, flow.publishedVersionId]
    .map((id) => versionById(flow, id))
    .filter((v): v is VersionRecord => v !== undefined);
  return candidates.sort((a, b) => b.n - a.n)[0];
}

/** The version's Archy YAML: the stored text byte for byte, or a rendering of a JSON-saved configuration. */
export function versionText(version: VersionRecord): string {
  return version.text ?? stringify(version.config ?? {});
}

interface Parsed {
  value: unknown;
  parseErrors: string[];
}

const parsedCache = new WeakMap<VersionRecord, Parsed>();
const callsCache = new WeakMap<VersionRecord, ModuleCall[]>();

/** A version's content as plain data (parsed once per version). */
export function parsedContent(version: VersionRecord): Parsed {
  let parsed = parsedCache.get(version);
  if (!parsed) {
    if (version.text === undefined) parsed = { value: version.config, parseErrors: [] };
    else {
      const result = parseArchy(version.text);
      parsed = { value: result.value, parseErrors: result.errors };
    }
    parsedCache.set(version, parsed);
  }
  return parsed;
}

/** The `callCommonModule` actions of a version (computed once per version). */
export function moduleCallsOf(version: VersionRecord): ModuleCall[] {
  let calls = callsCache.get(version);
  if (!calls) {
    // Cheap pre-check: most flows never call a module, and parsing thousands of big documents adds up.
    const mayCall = version.text === undefined || version.text.includes('callCommonModule');
    calls = mayCall ? findModuleCalls(parsedContent(version).value) : [];
    callsCache.set(version, calls);
  }
  return calls;
}

const interfaceCache = new WeakMap<VersionRecord, ModuleInterface>();

function moduleInterfaceOfVersion(flowType: FlowType, version: VersionRecord): ModuleInterface {
  const cached = interfaceCache.get(version);
  if (cached) return cached;
  const value = parsedContent(version).value;
  const key = archyKeyForType(flowType);
  const body = isRecord(value) && key !== undefined && key in value ? value[key] : value;
  const iface = readModuleInterface(body);
  interfaceCache.set(version, iface);
  return iface;
}

/** Module names a version calls (unique, in order). */
export function calledModules(version: VersionRecord): string[] {
  return [...new Set(moduleCallsOf(version).map((c) => c.moduleName).filter((n): n is string => n !== undefined))];
}

/** A common module's interface from its published version (or its latest version when never published). */
export function moduleInterfaceOf(flow: FlowRecord): ModuleInterface | undefined {
  if (flow.type !== 'commonmodule') return undefined;
  const version = versionById(flow, flow.publishedVersionId) ?? latestVersion(flow);
  return version ? moduleInterfaceOfVersion(flow.type, version) : undefined;
}

export function findModuleByName(state: EmulatorState, name: string): FlowRecord | undefined {
  for (const flow of state.flows.values()) {
    if (flow.type === 'commonmodule' && !flow.deleted && flow.name === name) return flow;
  }
  return undefined;
}

export function findFlowByNameAndType(state: EmulatorState, name: string, type: FlowType): FlowRecord | undefined {
  for (const flow of state.flows.values()) {
    if (flow.type === type && !flow.deleted && flow.name === name) return flow;
  }
  return undefined;
}

/**
 * The rules a publish enforces on module calls (import jobs and the publish action): every call names an existing,
 * published module compatible with this flow type. Returns one message per problem. An input left unmapped is no
 * problem, required or not: "If you do not supply a property value for an input variable, the variable value will be
 * set to the initial value" (the module's input schema, genesys-api.md §15.4).
 */
export function moduleCallProblems(state: EmulatorState, flowType: FlowType, calls: ModuleCall[]): string[] {
  const problems: string[] = [];
  if (flowType === 'commonmodule' && calls.length > 0) {
    return ['A common module flow cannot call another common module (callCommonModule is not allowed in commonModule flows).'];
  }
  for (const call of calls) {
    if (call.moduleName === undefined) {
      problems.push('A callCommonModule action does not name a common module (commonModule must have exactly one key, the module name).');
      continue;
    }
    const name = call.moduleName;
    if (/\{\{[^{}]*\}\}/.test(name)) {
      problems.push(`callCommonModule names the common module '${name}', an unsubstituted placeholder.`);
      continue;
    }
    const module = findModuleByName(state, name);
    if (!module) {
      problems.push(`Common module '${name}' called by callCommonModule was not found.`);
      continue;
    }
    if (!module.publishedVersionId) {
      problems.push(`Common module '${name}' has not been published; a flow can only call a published common module.`);
      continue;
    }
    const iface = moduleInterfaceOf(module);
    const compatible = iface?.compatibleFlowTypes ?? [];
    if (!compatible.includes(flowType)) {
      problems.push(`Common module '${name}' is not compatible with flow type '${flowType}' (compatible flow types: ${compatible.join(', ') || 'none'}).`);
    }
  }
  return problems;
}

export function divisionByName(state: EmulatorState, name: string): { id: string; name: string } | undefined {
  const lower = name.toLowerCase();
  for (const division of state.divisions.values()) if (division.name.toLowerCase() === lower || division.id === name) return division;
  return undefined;
}
