import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htmlPagePieces, renderHtmlPage } from '../../src/report/html-page.js';
import { changeKindOf, environmentHost, lockHolderOf, pageFromPlan, withRunReport } from '../../src/report/page-data.js';
import { htmlAttr, htmlPreLine, htmlText, mdCode, mdText } from '../../src/report/escape.js';
import { planMarkdown, runMarkdown } from '../../src/report/markdown.js';
import { readPlanWithoutTexts, runReportPage, runReportPageStreamed } from '../../src/report/run-html.js';
import { RunDir } from '../../src/rollout/run-dir.js';
import { sealPlan, writePlanFile, type PlanFile } from '../../src/rollout/plan-file.js';
import { HOSTILE, applyReport, hostilePlan, verifyReport } from './fixtures.js';

const META = { generatedBy: 'jdoe', generatedAt: '2025-03-04T12:00:00.000Z' };
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function planPage() {
  return renderHtmlPage(pageFromPlan(hostilePlan(), META));
}

function runPage() {
  return renderHtmlPage(withRunReport(withRunReport(pageFromPlan(hostilePlan(), { ...META, runId: '20250304-102030-c0ffeec0' }), applyReport()), verifyReport()));
}

/** The text between each `<tag ...>` and `</tag>`. */
function inline(html: string, tag: string): string[] {
  return [...html.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

function rowsOf(html: string): string[] {
  const body = /<table class="grid" id="flow-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return body.split('\n').filter((line) => line.startsWith('<tr'));
}

test('the page is self-contained: no external reference of any kind, one inline style and one inline script', () => {
  for (const html of [planPage(), runPage()]) {
    assert.doesNotMatch(html, /<(link|img|iframe|object|embed|source|video|audio|base|form)\b/i);
    const attributes = [...html.matchAll(/<[a-z][a-z0-9]*((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>/gi)]
      .flatMap((tag) => [...(tag[1] ?? '').matchAll(/([a-z-]+)(?:="[^"]*")?/gi)].map((a) => (a[1] ?? '').toLowerCase()));
    assert.ok(attributes.includes('data-search'), 'the tags were read');
    for (const name of ['src', 'href', 'srcset', 'action', 'poster', 'background', 'formaction', 'xlink:href']) assert.ok(!attributes.includes(name), name);
    assert.ok(!attributes.some((name) => name.startsWith('on')), 'no inline event handler');
    assert.doesNotMatch(html, /url\(|@import|@font-face/i);
    assert.equal(inline(html, 'script').length, 1);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.equal((html.match(/<\/script/gi) ?? []).length, 1);
    assert.equal(inline(html, 'style').length, 1);
    for (const code of [...inline(html, 'script'), ...inline(html, 'style')]) assert.doesNotMatch(code, /https?:|fetch\(|XMLHttpRequest|import\(/i);
  }
});

test('a Content-Security-Policy allows nothing but the page\'s own style and script, by hash', () => {
  const html = runPage();
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src 'none'/);
  const hash = (code: string) => `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
  assert.match(csp, new RegExp(`script-src ${hash(inline(html, 'script')[0] ?? '').replace(/[+/]/g, '\\$&')}`));
  assert.match(csp, new RegExp(`style-src ${hash(inline(html, 'style')[0] ?? '').replace(/[+/]/g, '\\$&')}`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
});

test('hostile names, reasons and YAML are escaped: no markup, no raw control or bidi character reaches the page', () => {
  for (const html of [planPage(), runPage()]) {
    assert.doesNotMatch(html, RAW_UNSAFE);
    assert.ok(!html.includes('window.__pwned = 1</script>'), 'a name cannot close our markup');
    assert.ok(!html.includes('<img'), 'a name cannot open an element');
    assert.ok(!html.includes('</pre></details>'), 'a YAML line cannot close the diff');
    assert.ok(html.includes('&#60;script&#62;window.__pwned = 1&#60;/script&#62;'), 'the script name is shown literally');
    assert.ok(html.includes('&#34;&#62;&#60;img src=x onerror=&#34;window.__pwned=2&#34;&#62; &#38; &#39;quoted&#39;'));
    assert.ok(html.includes('Invoice_<span class="ctl">\\u202e</span>exe.pdf<span class="ctl">\\u202c</span>_Line'), 'bidi overrides are shown, not obeyed');
    assert.ok(html.includes('Tab<span class="ctl">\\t</span>here<span class="ctl">\\n</span>new line<span class="ctl">\\r</span><span class="ctl">\\x1b</span>[31mred<span class="ctl">\\x07</span>bell<span class="ctl">\\x85</span>nel'));
    // In attributes (the filter's search text) the same characters are plain visible escapes.
    assert.ok(html.includes('data-search="invoice_\\u202eexe.pdf\\u202c_line f-004'));
  }
});

test('the plan page: header, counts per state, one row per flow with state, reason, versions and lock holder, a diff per change', () => {
  const html = planPage();
  assert.match(html, /<h1>flowlink plan: add call <code>Global_Exception_Handler<\/code><\/h1>/);
  assert.match(html, /<dt>Org environment<\/dt><dd>api\.mypurecloud\.ie<\/dd>/);
  assert.match(html, /<dt>Plan checksum<\/dt><dd><code id="checksum">(c0ffee){10}abcd<\/code>/);
  assert.match(html, /<dt>Change<\/dt><dd>add call <span class="dim">\(at start\)<\/span>/);
  assert.match(html, /<dt>Selection<\/dt><dd><code>--prefix Sales_<\/code> <code>--name &#60;script&#62;\*<\/code>/);
  assert.match(html, /<span id="who">jdoe<\/span> at <span id="when">2025-03-04T12:00:00.000Z<\/span>/);
  assert.match(html, /data-state="eligible" data-count="3">ELIGIBLE <b>3<\/b>/);
  assert.match(html, /data-state="locked" data-count="2">LOCKED <b>2<\/b>/);
  const rows = rowsOf(html);
  assert.equal(rows.length, 8);
  const locked = rows.find((row) => row.includes('data-id="f-004"')) ?? '';
  assert.match(locked, /<span class="state st-held">LOCKED<\/span>/);
  assert.match(locked, /<td><bdi>user Jane &#60;Doe&#62; <span class="ctl">\\u202e<\/span>evil<\/bdi><\/td>/);
  assert.match(rows.find((row) => row.includes('data-id="f-008"')) ?? '', /<td><bdi>client Other Tool<\/bdi><\/td>/);
  assert.match(rows.find((row) => row.includes('data-id="f-001"')) ?? '', /published 3\.0/);
  assert.match(rows.find((row) => row.includes('data-id="f-007"')) ?? '', /none published/);
  const diffs = [...html.matchAll(/<details class="diff"[^>]*data-id="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(diffs, ['f-001', 'f-002', 'f-003']);
  assert.match(html, /<span class="add">\+ {10}- callCommonModule:<\/span>/);
  assert.match(html, /<span class="hunk">@@ -3,6 \+3,12 @@<\/span>/);
  assert.ok(!html.includes('Index: flow.yaml'), 'the diff tool\'s Index/==== lines are left out');
  assert.match(html, /<input id="filter" type="search"/);
  assert.doesNotMatch(html, /<th>Apply<\/th>/, 'a plan has no outcome columns');
});

test('the run page adds outcomes, timings and verify results to the same page', () => {
  const html = runPage();
  assert.match(html, /<h1>flowlink run report: add call/);
  assert.match(html, /<dt>Run<\/dt><dd><code>20250304-102030-c0ffeec0<\/code>/);
  assert.match(html, /<th>Apply<\/th><th>Verify<\/th><\/tr>/);
  assert.match(html, /<tr data-command="apply"><td>Apply<\/td><td>2025-03-04T11:00:00.000Z<\/td><td>2025-03-04T11:01:05.000Z<\/td><td>1 min 5 s<\/td><td>DONE 2, FAILED 1<\/td><\/tr>/);
  assert.match(html, /<tr data-command="verify"><td>Verify<\/td>.*<td>3\.5 s<\/td><td>VERIFIED 1, DRIFT 1<\/td>/);
  const rows = rowsOf(html);
  const first = rows.find((row) => row.includes('data-id="f-001"')) ?? '';
  assert.match(first, /3\.0 → 4\.0/);
  assert.match(first, /<span class="state st-ok">DONE<\/span> <span class="dim took">1\.5 s<\/span>/);
  assert.match(first, /<span class="state st-ok">VERIFIED<\/span>/);
  const failed = rows.find((row) => row.includes('data-id="f-003"')) ?? '';
  assert.match(failed, /<span class="state st-bad">FAILED<\/span> <span class="dim took">900 ms<\/span><div class="detail"><bdi>import job failed: &#60;b&#62;bad&#60;\/b&#62; \| `x`<span class="ctl">\\n<\/span>second line<\/bdi>/);
  const drift = rows.find((row) => row.includes('data-id="f-002"')) ?? '';
  assert.match(drift, /<span class="state st-bad">DRIFT<\/span><div class="detail"><bdi>published YAML is not the planned YAML/);
  assert.match(drift, /data-search="[^"]* eligible done drift"/, 'outcome states can be filtered on');
  assert.match(html, /id="counts-apply"><span class="label">Apply<\/span>/);
  assert.match(html, /id="counts-verify"><span class="label">Verify<\/span>/);
});

test('page data: environment host without credentials, change kind from the plan when it has one, lock holder', () => {
  assert.equal(environmentHost('https://api.mypurecloud.ie/api/v2'), 'api.mypurecloud.ie');
  assert.equal(environmentHost('http://user:secret@127.0.0.1:8787/api/v2'), '127.0.0.1:8787');
  assert.equal(environmentHost('user:secret@host/x'), 'host');
  assert.equal(changeKindOf({}), 'add call');
  assert.equal(changeKindOf({ change: { kind: 'remove' } }), 'remove calls');
  assert.equal(changeKindOf({ changeKind: 'replace' }), 'replace calls');
  assert.equal(changeKindOf({ change: { kind: 'replace', replaces: { name: 'Old_Handler' } } }), 'replace calls of Old_Handler');
  assert.equal(changeKindOf({ change: { kind: 'add', placement: { before: 'transferToAcd' } } }), 'add call');
  assert.equal(pageFromPlan({ ...hostilePlan(), placement: undefined, change: { kind: 'add', placement: { after: 'Greeting' } } }, META).placement, 'after Greeting');
  assert.equal(lockHolderOf({ id: 'x', name: 'x', type: 't', state: 'LOCKED', reason: 'locked by user Ann' }), 'user Ann');
  assert.equal(lockHolderOf({ id: 'x', name: 'x', type: 't', state: 'LOCKED', lockedBy: { kind: 'client', name: 'CI' } }), 'client CI');
  assert.equal(lockHolderOf({ id: 'x', name: 'x', type: 't', state: 'ELIGIBLE', reason: 'locked by user Ann' }), undefined);
});

test('escaping helpers', () => {
  assert.equal(htmlText('<a href="x">\'&'), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;');
  assert.equal(htmlAttr('a\u202eb"'), 'a\\u202eb&#34;');
  assert.equal(htmlPreLine('\tkey: <v>\r'), '\tkey: &#60;v&#62;');
  assert.equal(mdCode('a|b'), '` a\\|b `');
  assert.equal(mdCode('a`b'), '`` a`b ``');
  assert.equal(mdCode('``x```'), '```` ``x``` ````');
  assert.equal(mdCode('line\nbreak'), '` line\\nbreak `');
  assert.equal(mdCode(''), '');
  assert.equal(mdText('A_B*<i>|'), 'A_B\\*&lt;i&gt;\\|');
  assert.equal(mdText('_x_ ROLLED_BACK'), '\\_x\\_ ROLLED_BACK');
});

/** A markdown table row's cells, split on the pipes that are not escaped. */
function cells(row: string): string[] {
  return row.replace(/^\| /, '').replace(/ \|$/, '').split(/ (?<!\\)\| /);
}

test('plan markdown: counts and a compact table; names cannot break the table, render HTML or mention anyone', () => {
  const md = planMarkdown(pageFromPlan(hostilePlan(), META));
  const lines = md.split('\n');
  assert.equal(lines[0], '### flowlink plan: add call ` Global_Exception_Handler `');
  assert.match(md, /\*\*3 flows to change\*\* of 8 selected in ` api\.mypurecloud\.ie `, at start\./);
  assert.ok(lines.includes('| ELIGIBLE | 3 |'));
  assert.ok(lines.includes('| LOCKED | 2 |'));
  const header = lines.indexOf('| flow | type | state | version | reason |');
  assert.ok(header > 0);
  const rows = lines.slice(header + 2).filter((line) => line.startsWith('|'));
  assert.equal(rows.length, 8);
  for (const row of rows) assert.equal(cells(row).length, 5, row);
  assert.deepEqual(rows.slice(0, 3).map((row) => cells(row)[2]), ['ELIGIBLE', 'ELIGIBLE', 'ELIGIBLE'], 'changes first');
  const hostile = rows.find((row) => row.includes('@everyone')) ?? '';
  assert.equal(cells(hostile)[0], '``` pipe \\| back`tick ``double`` @everyone #1 **bold** [link](http://evil.example) <b>html</b> ```');
  assert.doesNotMatch(md, RAW_UNSAFE);
  const controls = rows.find((row) => row.includes('new line')) ?? '';
  assert.ok(controls.includes('` Tab\\there\\nnew line\\r\\x1b[31mred\\x07bell\\x85nel `'));
  // Outside code spans there is no HTML at all.
  for (const row of rows) assert.doesNotMatch(row.replace(/(`+) [\s\S]*? \1/g, ''), /[<>]/);
});

test('markdown lists at most maxRows flows and counts the rest', () => {
  const md = planMarkdown(pageFromPlan(hostilePlan(), META), { maxRows: 2 });
  assert.equal(md.split('\n').filter((line) => /^\| `/.test(line)).length, 2);
  assert.match(md, /_…and 6 more flows \(every flow is in the plan file and the HTML report\)\._/);
});

test('run markdown: the step\'s counts, failures first, versions, timings, errors as code spans', () => {
  const page = withRunReport(pageFromPlan(hostilePlan(), { ...META, runId: '20250304-102030-c0ffeec0' }), applyReport());
  const md = runMarkdown(page, 'apply');
  const lines = md.split('\n');
  assert.equal(lines[0], '### flowlink apply: add call ` Global_Exception_Handler `');
  assert.match(md, /Run ` 20250304-102030-c0ffeec0 ` in ` api\.mypurecloud\.ie `: 3 flows in 1 min 5 s\./);
  assert.ok(lines.includes('| DONE | 2 |'));
  assert.ok(lines.includes('| FAILED | 1 |'));
  const rows = lines.filter((line) => /^\| `/.test(line));
  assert.equal(rows.length, 3);
  assert.deepEqual(cells(rows[0] ?? ''), ['` "><img src=x onerror="window.__pwned=2"> & \'quoted\' `', 'inboundchat', 'FAILED', '2.0', '900 ms', '`` import job failed: <b>bad</b> \\| `x`\\nsecond line ``']);
  assert.deepEqual(cells(rows.find((row) => row.includes('Sales_Line_001')) ?? ''), ['` Sales_Line_001 `', 'inboundcall', 'DONE', '3.0 → 4.0', '1.5 s', '']);
  const interrupted = runMarkdown(page, 'apply', { interrupted: true, stopReason: 'token expired | retry' });
  assert.match(interrupted, /\*\*Interrupted: run the same command again to resume\.\*\*/);
  assert.match(interrupted, /Stopped: ` token expired \\\| retry `/);
});

test('readPlanWithoutTexts: the plan file\'s flows without their YAML texts, diffs and checksum kept; any JSON layout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowlink-report-'));
  const base = hostilePlan();
  const plan = sealPlan({
    kind: 'flowlink-plan', formatVersion: 1, createdAt: base.createdAt, environment: base.environment,
    module: base.module, placement: { at: 'start' }, inputs: {}, outputs: {}, selection: base.selection ?? [],
    flows: base.flows.map((flow) => ({ ...flow, ...(flow.state === 'ELIGIBLE' ? { original: 'a: 1\n'.repeat(1000), updated: 'a: 2\n', sha256: 'x' } : {}) })),
  } as Omit<PlanFile, 'checksum'>);
  const path = join(dir, 'plan.json');
  writePlanFile(path, plan);
  const read = readPlanWithoutTexts(path);
  assert.equal(read.checksum, plan.checksum);
  assert.equal(read.flows.length, 8);
  assert.equal(read.module.name, 'Global_Exception_Handler');
  assert.deepEqual(read.selection, base.selection);
  for (const flow of read.flows) {
    assert.ok(!('original' in flow) && !('updated' in flow), 'texts dropped');
  }
  assert.equal(read.flows[1]?.name, HOSTILE.script);
  assert.equal(read.flows[1]?.diff, base.flows[1]?.diff);
  const pretty = join(dir, 'pretty.json');
  writeFileSync(pretty, JSON.stringify(plan, null, 2));
  const again = readPlanWithoutTexts(pretty);
  assert.equal(again.checksum, plan.checksum);
  assert.deepEqual(again.flows.map((flow) => flow.id), read.flows.map((flow) => flow.id));
  assert.ok(again.flows.every((flow) => !('original' in flow)));
});

test('the run page written from its plan file pass by pass is the page made whole, byte for byte, flows the plan lacks included', () => {
  const base = hostilePlan();
  const plan = sealPlan({
    kind: 'flowlink-plan', formatVersion: 1, createdAt: base.createdAt, environment: base.environment,
    module: base.module, placement: { at: 'start' }, inputs: {}, outputs: {}, selection: base.selection ?? [],
    flows: base.flows.map((flow) => ({ ...flow, ...(flow.state === 'ELIGIBLE' ? { original: 'a: 1\n', updated: 'a: 2\n', sha256: 'x' } : {}) })),
  } as Omit<PlanFile, 'checksum'>);
  const apply = { ...applyReport(), flows: [...applyReport().flows, { id: 'f-ghost', state: 'FAILED', error: 'not in the plan' }] };
  const verify = {
    ...verifyReport(),
    flows: [...verifyReport().flows, { id: 'f-ghost', state: 'DRIFT' }, { id: 'f-ghost-2', state: 'DRIFT', reason: `only verify saw it ${HOSTILE.script}` }],
  };
  for (const layout of ['lines', 'pretty'] as const) {
    const root = mkdtempSync(join(tmpdir(), 'flowlink-report-'));
    const runDir = new RunDir(root, apply.runId);
    runDir.create();
    if (layout === 'lines') writePlanFile(runDir.planPath, plan);
    else writeFileSync(runDir.planPath, JSON.stringify(plan, null, 2));
    writeFileSync(join(runDir.path, 'verify-report.json'), JSON.stringify(verify));
    const whole = renderHtmlPage(runReportPage(runDir, apply, META));
    const streamed = runReportPageStreamed(runDir, apply, META);
    assert.equal([...htmlPagePieces(streamed.page, streamed.flows)].join(''), whole, layout);
    assert.equal(streamed.flows.count, 10, 'eight planned flows and two the plan lacks');
    assert.match(whole, /f-ghost-2/);
    assert.equal(rowsOf(whole).length, 10);
  }
});
