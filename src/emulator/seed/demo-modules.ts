import { INBOUND_FLOW_TYPES, type InboundFlowType } from '../../genesys/flow-types.js';
import type { YamlMap, YamlValue } from './demo-yaml.js';

/** The demo org's common modules: their interface, and their own Archy YAML (`commonModule:` documents). */

export const DEMO_MODULES = {
  globalExceptionHandler: 'Global_Exception_Handler',
  complianceLogging: 'Compliance_Logging',
  fraudCheckVoice: 'Fraud_Check_Voice',
  holidayCheck: 'Holiday_Check',
} as const;
export type DemoModuleName = (typeof DEMO_MODULES)[keyof typeof DEMO_MODULES];

export interface DemoModuleVariable {
  name: string;
  kind: 'string' | 'boolean' | 'integer';
  /** Literal initial value; undefined: `noValue: true`. */
  initial?: string | boolean | number;
  /** The author marks this input required: `isRequired: true` in the YAML, `required: true` in the input schema. */
  required?: true;
}

export interface DemoModuleSpec {
  name: DemoModuleName;
  description: string;
  compatibleFlowTypes: readonly InboundFlowType[];
  /** False: the module only has a draft (never published), so no flow may call it. */
  published: boolean;
  inputs: readonly DemoModuleVariable[];
  outputs: readonly DemoModuleVariable[];
  /** Internal (neither input nor output) variables. */
  locals: readonly DemoModuleVariable[];
}

export const DEMO_MODULE_SPECS: readonly DemoModuleSpec[] = [
  {
    name: DEMO_MODULES.globalExceptionHandler,
    description: 'Shared error handling: records the failure on the conversation and tells the caller.',
    compatibleFlowTypes: INBOUND_FLOW_TYPES,
    published: true,
    inputs: [
      { name: 'Common.flowName', kind: 'string', initial: 'Unknown flow' },
      { name: 'Common.severity', kind: 'string', initial: 'error' },
    ],
    outputs: [{ name: 'Common.handled', kind: 'boolean', initial: false }],
    locals: [{ name: 'Common.errorText', kind: 'string' }],
  },
  {
    name: DEMO_MODULES.complianceLogging,
    description: 'Writes a compliance audit record; the reason is mandatory.',
    compatibleFlowTypes: INBOUND_FLOW_TYPES,
    published: true,
    inputs: [
      { name: 'Common.reason', kind: 'string', required: true },
      { name: 'Common.retentionDays', kind: 'integer', initial: 30 },
    ],
    outputs: [{ name: 'Common.auditId', kind: 'string' }],
    locals: [],
  },
  {
    name: DEMO_MODULES.fraudCheckVoice,
    description: 'Scores the caller ANI against the fraud list (voice only).',
    compatibleFlowTypes: ['inboundcall'],
    published: true,
    inputs: [{ name: 'Common.ani', kind: 'string', required: true }],
    outputs: [
      { name: 'Common.riskScore', kind: 'integer', initial: 0 },
      { name: 'Common.isFraud', kind: 'boolean', initial: false },
    ],
    locals: [],
  },
  {
    name: DEMO_MODULES.holidayCheck,
    description: 'Work in progress: checks the holiday schedule.',
    compatibleFlowTypes: INBOUND_FLOW_TYPES,
    published: false,
    inputs: [{ name: 'Common.scheduleGroup', kind: 'string', initial: 'Default' }],
    outputs: [{ name: 'Common.isHoliday', kind: 'boolean', initial: false }],
    locals: [],
  },
];

export function moduleSpec(name: DemoModuleName): DemoModuleSpec {
  const spec = DEMO_MODULE_SPECS.find((m) => m.name === name);
  if (!spec) throw new Error(`unknown demo module ${name}`);
  return spec;
}

export const requiredInputs = (spec: DemoModuleSpec): string[] =>
  spec.inputs.filter((i) => i.required === true).map((i) => i.name);

/** `isRequired` is the emulator's convention for a required module input (module-interface.ts isRequiredInput). */
function variable(v: DemoModuleVariable, isInput: boolean, isOutput: boolean): YamlMap {
  const initialValue: YamlMap = v.initial === undefined ? { noValue: true } : { lit: v.initial };
  return { [`${v.kind}Variable`]: { name: v.name, initialValue, isInput, ...(isInput && v.required ? { isRequired: true } : {}), isOutput } };
}

function moduleActions(spec: DemoModuleSpec, revision: number): YamlValue[] {
  const first = spec.outputs[0] as DemoModuleVariable;
  const actions: YamlValue[] = [
    {
      setParticipantData: {
        name: 'Record module call',
        attributes: [
          { attribute: { name: { lit: `${spec.name}.called` }, value: { exp: 'ToString(GetCurrentDateTimeUtc())' } } },
        ],
      },
    },
  ];
  if (spec.inputs.some((i) => i.initial === undefined)) {
    const req = spec.inputs.find((i) => i.initial === undefined) as DemoModuleVariable;
    actions.push({
      decision: {
        name: 'Input given?',
        condition: { exp: `IsNotSetOrEmpty(${req.name})` },
        outputs: { yes: { actions: [{ endTask: { name: 'Exit Common Module' } }] } },
      },
    });
  }
  const value: YamlMap = first.kind === 'boolean' ? { lit: true } : first.kind === 'integer' ? { lit: revision * 10 } : { exp: 'ToString(GetCurrentDateTimeUtc())' };
  actions.push({
    updateData: { name: 'Set result', statements: [{ [first.kind]: { variable: first.name, value } }] },
  });
  actions.push({ endTask: { name: 'Exit Common Module' } });
  return actions;
}

/** The module's Archy YAML tree at `revision` (1-based); later revisions add the last optional input. */
export function moduleDocument(spec: DemoModuleSpec, division: string, revision: number, latest: number): YamlMap {
  const inputs = revision < latest && spec.inputs.length > 1 ? spec.inputs.slice(0, -1) : spec.inputs;
  const variables: YamlValue[] = [
    ...inputs.map((v) => variable(v, true, false)),
    ...spec.outputs.map((v) => variable(v, false, true)),
    ...spec.locals.map((v) => variable(v, false, false)),
  ];
  return {
    commonModule: {
      name: spec.name,
      description: spec.description,
      division,
      supportedLanguages: { 'en-us': { none: true } },
      variables,
      settingsCommonModule: { compatibleFlowTypes: spec.compatibleFlowTypes.map((flowType) => ({ flowType })) },
      settingsActionDefaults: { callData: { processingPrompt: { noValue: true } } },
      settingsPrompts: { ensureAudioInPrompts: false, promptMediaToValidate: [{ mediaType: 'audio' }, { mediaType: 'tts' }] },
      startUpTaskActions: moduleActions(spec, revision),
    },
  };
}

/** A `callCommonModule` action (archy-yaml.md §1.4); inputs take `exp`/`lit` values, outputs `var` values. */
export function callCommonModule(
  module: string,
  inputs: YamlMap,
  outputs: YamlMap,
  actionName = 'Call Common Module',
): YamlMap {
  const selector: YamlMap = {};
  if (Object.keys(inputs).length > 0) selector.inputs = inputs;
  if (Object.keys(outputs).length > 0) selector.outputs = outputs;
  return { callCommonModule: { name: actionName, commonModule: { [module]: { ver_latestPublished: selector } } } };
}
