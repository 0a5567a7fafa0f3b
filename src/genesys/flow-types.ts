/**
 * Genesys spells one flow type three ways (reference genesys-api.md §5.1): lowercase in query strings and
 * Archy's configuration, UPPERCASE in `Flow.type`, and `<TYPE>FLOW` in dependency tracking (but `WORKFLOW`).
 * Archy YAML names the type by a camelCase top-level key. This module is the one place that maps them.
 */

export const INBOUND_FLOW_TYPES = ['inboundcall', 'inboundchat', 'inboundemail', 'inboundshortmessage'] as const;

export const ALL_FLOW_TYPES = [
  'bot', 'commonmodule', 'digitalbot', 'emailsend', 'inboundcall', 'inboundchat', 'inboundemail',
  'inboundshortmessage', 'outboundcall', 'inqueuecall', 'inqueueemail', 'inqueueshortmessage', 'speech',
  'securecall', 'surveyinvite', 'voice', 'voicemail', 'voicesurvey', 'workflow', 'workitem',
] as const;

export type FlowType = (typeof ALL_FLOW_TYPES)[number];
export type InboundFlowType = (typeof INBOUND_FLOW_TYPES)[number];

/** Archy YAML top-level key for each flow type that has a known one (archy-yaml.md §1.1). */
export const ARCHY_KEY_BY_TYPE: Partial<Record<FlowType, string>> = {
  inboundcall: 'inboundCall',
  inboundchat: 'inboundChat',
  inboundemail: 'inboundEmail',
  inboundshortmessage: 'inboundShortMessage',
  inqueuecall: 'inqueueCall',
  inqueueemail: 'inqueueEmail',
  inqueueshortmessage: 'inqueueShortMessage',
  outboundcall: 'outboundCall',
  workflow: 'workflow',
  bot: 'botFlow',
  commonmodule: 'commonModule',
  digitalbot: 'digitalBot',
  securecall: 'secureCall',
  surveyinvite: 'surveyInvite',
  voicemail: 'voicemail',
  voicesurvey: 'voiceSurvey',
  workitem: 'workitem',
};

const TYPE_BY_ARCHY_KEY = new Map<string, FlowType>(
  Object.entries(ARCHY_KEY_BY_TYPE).map(([type, key]) => [key, type as FlowType]),
);

export function isFlowType(value: string): value is FlowType {
  return (ALL_FLOW_TYPES as readonly string[]).includes(value);
}

/** `inboundcall` or `INBOUNDCALL` -> `inboundcall`; undefined for anything else. */
export function parseFlowType(value: string): FlowType | undefined {
  const lower = value.toLowerCase();
  return isFlowType(lower) ? lower : undefined;
}

/** `inboundcall` -> `INBOUNDCALL` (the `Flow.type` spelling in API responses). */
export function toResponseType(type: FlowType): string {
  return type.toUpperCase();
}

/** `inboundcall` -> `INBOUNDCALLFLOW`; `workflow` -> `WORKFLOW` (dependency-tracking object types). */
export function toDependencyType(type: FlowType): string {
  return type === 'workflow' ? 'WORKFLOW' : `${type.toUpperCase()}FLOW`;
}

/** `INBOUNDCALLFLOW` -> `inboundcall`; undefined when it is not a flow dependency type. */
export function fromDependencyType(value: string): FlowType | undefined {
  const upper = value.toUpperCase();
  if (upper === 'WORKFLOW') return 'workflow';
  return upper.endsWith('FLOW') ? parseFlowType(upper.slice(0, -4)) : undefined;
}

export function archyKeyForType(type: FlowType): string | undefined {
  return ARCHY_KEY_BY_TYPE[type];
}

export function typeForArchyKey(key: string): FlowType | undefined {
  return TYPE_BY_ARCHY_KEY.get(key);
}
