import { readFileSync } from 'node:fs';
import type { SeedFixture } from '../../src/emulator/seed/types.js';

/** Small, hand-built orgs for the emulator tests, from real sample flows where the shape matters. */

export const CLIENT_ID = 'flowlink-demo';
export const CLIENT_SECRET = 'flowlink-demo-secret';
export const HOME = { id: 'div-home', name: 'Home' };
export const SALES = { id: 'div-sales', name: 'Sales' };

const SAMPLES = new URL('../../../shared/samples/', import.meta.url);
export const sample = (file: string): string => readFileSync(new URL(file, SAMPLES), 'utf8');

/** A common module; `required` inputs say `isRequired: true` (the emulator's convention) and have no initial value. */
export function moduleYaml(name: string, compatible: string[], required: string[] = [], optional: string[] = []): string {
  const variable = (v: string, isRequired: boolean): string => [
    '    - stringVariable:',
    `        name: ${v}`,
    '        initialValue:',
    isRequired ? '          noValue: true' : '          lit: "x"',
    '        isInput: true',
    ...(isRequired ? ['        isRequired: true'] : []),
    '        isOutput: false',
  ].join('\n');
  return [
    'commonModule:',
    `  name: ${name}`,
    '  division: Home',
    '  variables:',
    ...required.map((v) => variable(v, true)),
    ...optional.map((v) => variable(v, false)),
    '    - booleanVariable:',
    '        name: Common.ok',
    '        initialValue:',
    '          lit: false',
    '        isInput: false',
    '        isOutput: true',
    '  settingsCommonModule:',
    '    compatibleFlowTypes:',
    ...compatible.map((t) => `      - flowType: ${t}`),
    '  startUpTaskActions:',
    '    - endTask:',
    '        name: Done',
    '',
  ].join('\n');
}

/** A small inbound call flow; `calls` adds a callCommonModule per module name with the given inputs. */
export function callFlowYaml(name: string, calls: { module: string; inputs?: Record<string, string> }[] = [], extra = ''): string {
  const callLines = calls.flatMap((c) => [
    '          - callCommonModule:',
    '              name: Call module',
    '              commonModule:',
    `                ${c.module}:`,
    '                  ver_latestPublished:',
    ...(c.inputs && Object.keys(c.inputs).length > 0
      ? ['                    inputs:', ...Object.entries(c.inputs).flatMap(([k, v]) => [`                      ${k}:`, `                        lit: ${v}`])]
      : []),
  ]);
  return [
    '# a comment the emulator must keep byte for byte',
    'inboundCall:',
    `  name: ${name}`,
    '  division: Home',
    '  defaultLanguage: en-us',
    '  startUpRef: "/inboundCall/tasks/task[Start_1]"',
    '  tasks:',
    '    - task:',
    '        name: Start',
    '        refId: Start_1',
    '        actions:',
    ...callLines,
    '          - disconnect:',
    '              name: Bye',
    extra,
  ].join('\n');
}

export function smallOrg(): SeedFixture {
  return {
    divisions: [HOME, SALES],
    flows: [
      { id: 'mod-log', type: 'commonmodule', name: 'Logger', divisionId: HOME.id, published: [moduleYaml('Logger', ['inboundcall', 'inboundshortmessage'], ['Common.reason'], ['Common.tag'])] },
      { id: 'mod-voice', type: 'commonmodule', name: 'VoiceOnly', divisionId: HOME.id, published: [moduleYaml('VoiceOnly', ['inboundcall'])] },
      { id: 'mod-draft', type: 'commonmodule', name: 'NeverPublished', divisionId: HOME.id, draft: moduleYaml('NeverPublished', ['inboundcall']) },
      { id: 'call-1', type: 'inboundcall', name: 'Sales_Line_001', divisionId: SALES.id, published: [callFlowYaml('Sales_Line_001'), callFlowYaml('Sales_Line_001', [{ module: 'Logger', inputs: { 'Common.reason': 'sales' } }])] },
      { id: 'call-2', type: 'inboundcall', name: 'Sales_Line_002', divisionId: SALES.id, published: [callFlowYaml('Sales_Line_002')] },
      { id: 'call-3', type: 'inboundcall', name: 'Support_Main', divisionId: HOME.id, published: [callFlowYaml('Support_Main')], lockedBy: { kind: 'user', id: 'user-jane', name: 'Jane Doe' } },
      { id: 'call-4', type: 'inboundcall', name: 'Billing, Main', divisionId: HOME.id, published: [callFlowYaml('Billing, Main')], draft: callFlowYaml('Billing, Main', [], '          # draft') },
      { id: 'msg-1', type: 'inboundshortmessage', name: 'Sales_Chat', divisionId: SALES.id, published: [sample('tf-provider_inboundshortmessage_inboundmessage-flow-example.yaml')] },
      { id: 'mail-1', type: 'inboundemail', name: 'Support_Mail', divisionId: HOME.id, published: [sample('bp-email-aws-comprehend_inboundemail_email-comprehend-flow.yaml')] },
    ],
  };
}
