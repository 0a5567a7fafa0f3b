import type { PlanLike, RunReportLike } from '../../src/report/page-data.js';

/** Flow names an org can hold, and a report must show literally and harmlessly. */
export const HOSTILE = {
  script: '<script>window.__pwned = 1</script>',
  img: '"><img src=x onerror="window.__pwned=2"> & \'quoted\'',
  bidi: 'Invoice_\u202eexe.pdf\u202c_Line',
  controls: 'Tab\there\nnew line\r\x1b[31mred\x07bell\u0085nel',
  markdown: 'pipe | back`tick ``double`` @everyone #1 **bold** [link](http://evil.example) <b>html</b>',
};

function diffFor(name: string, extra: string[] = []): string {
  return [
    'Index: flow.yaml',
    '===================================================================',
    '--- flow.yaml',
    '+++ flow.yaml',
    '@@ -3,6 +3,12 @@',
    ` name: "${name}"`,
    '   startUpRef: "/inboundCall/tasks/task[Main]"',
    '   tasks:',
    '     - task:',
    '         name: Main',
    '         actions:',
    '+          - callCommonModule:',
    '+              name: Call Global_Exception_Handler',
    '+              commonModule:',
    '+                Global_Exception_Handler:',
    '+                  ver_latestPublished:',
    ...extra,
    '           - transferToAcd:',
    '',
  ].join('\n');
}

/** A plan with every kind of row: changes (hostile names and YAML), locked, draft, already calling, excluded. */
export function hostilePlan(): PlanLike {
  return {
    createdAt: '2025-03-04T10:20:30.000Z',
    environment: 'https://api.mypurecloud.ie/api/v2',
    module: { id: 'mod-1', name: 'Global_Exception_Handler', publishedVersion: '7.0' },
    placement: { at: 'start' },
    selection: ['--prefix Sales_', '--name <script>*'],
    checksum: 'c0ffee'.repeat(10) + 'abcd',
    flows: [
      { id: 'f-001', name: 'Sales_Line_001', type: 'inboundcall', division: { id: 'd1', name: 'Sales' }, publishedVersion: '3.0', state: 'ELIGIBLE', diff: diffFor('Sales_Line_001') },
      { id: 'f-002', name: HOSTILE.script, type: 'inboundcall', publishedVersion: '1.0', state: 'ELIGIBLE', diff: diffFor(HOSTILE.script, ['+              # </pre></details><script>window.__pwned=3</script>']) },
      { id: 'f-003', name: HOSTILE.img, type: 'inboundchat', publishedVersion: '2.0', state: 'ELIGIBLE', diff: diffFor('x\u202eyz\r') },
      { id: 'f-004', name: HOSTILE.bidi, type: 'inboundemail', publishedVersion: '5.0', state: 'LOCKED', reason: 'locked by user Jane <Doe> \u202eevil' },
      { id: 'f-005', name: HOSTILE.controls, type: 'inboundshortmessage', publishedVersion: '1.0', state: 'HAS_UNPUBLISHED_DRAFT', reason: 'draft 4.0 is newer than published 1.0' },
      { id: 'f-006', name: HOSTILE.markdown, type: 'inboundcall', publishedVersion: '9.0', state: 'ALREADY_CALLS_MODULE', reason: 'calls Global_Exception_Handler | at start' },
      { id: 'f-007', name: 'Support_Queue', type: 'inboundcall', state: 'NEVER_PUBLISHED', reason: 'never published' },
      { id: 'f-008', name: 'Locked_By_Tool', type: 'inboundcall', publishedVersion: '4.0', state: 'LOCKED', reason: 'locked by client Other Tool' },
    ],
  };
}

export function applyReport(): RunReportLike & { module: { id: string; name: string } } {
  return {
    runId: '20250304-102030-c0ffeec0', command: 'apply', module: { id: 'mod-1', name: 'Global_Exception_Handler' },
    startedAt: '2025-03-04T11:00:00.000Z', finishedAt: '2025-03-04T11:01:05.000Z',
    counts: { DONE: 2, FAILED: 1 },
    flows: [
      { id: 'f-001', state: 'DONE', versionBefore: '3.0', versionAfter: '4.0', durationMs: 1500 },
      { id: 'f-002', state: 'DONE', versionBefore: '1.0', versionAfter: '2.0', durationMs: 2250 },
      { id: 'f-003', state: 'FAILED', versionBefore: '2.0', error: 'import job failed: <b>bad</b> | `x`\nsecond line', durationMs: 900 },
    ],
  };
}

export function verifyReport(): RunReportLike {
  return {
    runId: '20250304-102030-c0ffeec0', command: 'verify',
    startedAt: '2025-03-04T11:02:00.000Z', finishedAt: '2025-03-04T11:02:03.500Z',
    counts: { VERIFIED: 1, DRIFT: 1 },
    flows: [
      { id: 'f-001', state: 'VERIFIED', versionAfter: '4.0' },
      { id: 'f-002', state: 'DRIFT', reason: 'published YAML is not the planned YAML' },
    ],
  };
}
