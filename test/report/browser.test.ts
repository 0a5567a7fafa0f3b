import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { renderHtmlPage } from '../../src/report/html-page.js';
import { pageFromPlan, withRunReport } from '../../src/report/page-data.js';
import { DEMO_MODULE, cli, readPlan, sharedEmulator, tempDir } from '../rollout/helpers.js';
import { HOSTILE, applyReport, hostilePlan, verifyReport } from './fixtures.js';

/**
 * The change record in a real browser: Debian's Chromium (apt-get install chromium; .ci/run installs it) driven
 * by playwright-core, which never downloads a browser. Without /usr/bin/chromium these tests FAIL: a page that was
 * never rendered has not been tested.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
/** Screenshots for people to look at: test-output/ at the repository's top (git-ignored). */
export const OUTPUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output');

let context: BrowserContext | undefined;
let profile: string | undefined;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the HTML report tests need it (run \`apt-get update && apt-get install -y chromium\`; .ci/run does this). Failing rather than skipping.`);
  }
  profile = mkdtempSync(join(tmpdir(), 'flowlink-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 } });
  mkdirSync(OUTPUT_DIR, { recursive: true });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  /** Every request the page made besides loading its own file. */
  requests: string[];
  /** Console errors (a CSP violation is one) and uncaught page errors. */
  errors: string[];
  dialogs: string[];
}

async function open(file: string): Promise<Opened> {
  if (!context) throw new Error('the browser did not start');
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const opened: Opened = { page, requests: [], errors: [], dialogs: [] };
  page.on('request', (request) => {
    if (request.url() !== url) opened.requests.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') opened.errors.push(message.text());
  });
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return opened;
}

async function visibleRowIds(page: Page): Promise<string[]> {
  return page.$$eval('#flow-table tbody tr', (rows) =>
    rows.filter((row) => (row as unknown as { offsetParent: unknown }).offsetParent !== null).map((row) => row.getAttribute('data-id') ?? ''));
}

async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(OUTPUT_DIR, name);
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 10_000, `${path} is a real screenshot`);
  return path;
}

test('a plan page with hostile names: rows, counts and diffs visible, names shown literally, nothing runs or loads, the filter hides rows', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'flowlink-html-')), 'plan.html');
  writeFileSync(file, renderHtmlPage(pageFromPlan(hostilePlan(), { generatedBy: 'jdoe', generatedAt: '2025-03-04T12:00:00.000Z' })));
  const { page, requests, errors, dialogs } = await open(file);

  assert.equal(await page.title(), 'flowlink plan: add call Global_Exception_Handler');
  assert.equal(await page.locator('#checksum').textContent(), hostilePlan().checksum);
  assert.ok(await page.locator('#counts-plan').isVisible());
  assert.equal((await page.locator('#counts-plan button[data-state="eligible"]').innerText()).trim(), 'ELIGIBLE 3');
  assert.equal((await page.locator('#counts-plan button[data-state="locked"]').innerText()).trim(), 'LOCKED 2');
  assert.deepEqual(await visibleRowIds(page), ['f-001', 'f-002', 'f-003', 'f-004', 'f-005', 'f-006', 'f-007', 'f-008']);
  assert.equal(await page.locator('#shown').textContent(), '8 of 8 flows shown');

  // Hostile names are text, shown as they are (controls and bidi overrides as visible escapes).
  const nameOf = (id: string) => page.locator(`#flow-table tr[data-id="${id}"] td.name bdi`).innerText();
  assert.equal(await nameOf('f-002'), HOSTILE.script);
  assert.equal(await nameOf('f-003'), HOSTILE.img);
  assert.equal(await nameOf('f-004'), 'Invoice_\\u202eexe.pdf\\u202c_Line');
  assert.equal(await nameOf('f-005'), 'Tab\\there\\nnew line\\r\\x1b[31mred\\x07bell\\x85nel');
  assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned), undefined, 'no name or YAML line ran');
  assert.equal(await page.locator('#flow-table img, #flow-table script, details script').count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(requests, [], 'the page loads nothing');
  assert.deepEqual(errors, [], 'no CSP violation or script error');

  // Diffs: collapsed until opened; a hostile YAML line is text.
  const diff = page.locator('details.diff[data-id="f-002"]');
  assert.equal(await diff.locator('pre').isVisible(), false);
  await diff.locator('summary').click();
  assert.ok(await diff.locator('pre').isVisible());
  const text = await diff.locator('pre').innerText();
  assert.match(text, /\+ {10}- callCommonModule:/);
  assert.match(text, /# <\/pre><\/details><script>window\.__pwned=3<\/script>/);
  assert.ok(await diff.locator('pre .add').first().isVisible());
  await screenshot(page, 'report-plan-hostile.png');

  // The filter: every word must match; rows and diffs of other flows hide.
  await page.locator('#filter').fill('locked');
  assert.deepEqual(await visibleRowIds(page), ['f-004', 'f-008']);
  assert.equal(await page.locator('#shown').textContent(), '2 of 8 flows shown');
  assert.equal(await page.locator('details.diff[data-id="f-002"]').isVisible(), false);
  await page.locator('#filter').fill('');
  await page.locator('#filter').pressSequentially('sales_line');
  assert.deepEqual(await visibleRowIds(page), ['f-001']);
  assert.ok(await page.locator('details.diff[data-id="f-001"]').isVisible());
  await page.locator('#filter').fill('inboundcall eligible');
  assert.deepEqual(await visibleRowIds(page), ['f-001', 'f-002']);
  await page.locator('#filter').fill('<script>');
  assert.deepEqual(await visibleRowIds(page), ['f-002']);
  await page.locator('#filter').fill('no such flow');
  assert.deepEqual(await visibleRowIds(page), []);
  assert.equal(await page.locator('#shown').textContent(), '0 of 8 flows shown');
  // A count is a button that filters by its state.
  await page.locator('#counts-plan button[data-state="eligible"]').click();
  assert.equal(await page.locator('#filter').inputValue(), 'eligible');
  assert.deepEqual(await visibleRowIds(page), ['f-001', 'f-002', 'f-003']);
  await page.locator('#expand').click();
  assert.equal(await page.locator('details.diff[open]').count(), 3);
  await screenshot(page, 'report-plan-filtered.png');
  await page.close();
});

test('a run page shows outcomes, timings and verify results, and filters on them', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'flowlink-html-')), 'report.html');
  const page0 = pageFromPlan(hostilePlan(), { generatedBy: 'jdoe', generatedAt: '2025-03-04T12:00:00.000Z', runId: '20250304-102030-c0ffeec0' });
  writeFileSync(file, renderHtmlPage(withRunReport(withRunReport(page0, applyReport()), verifyReport())));
  const { page, requests, errors } = await open(file);
  const headers = await page.$$eval('#flow-table thead th', (cells) => cells.map((cell) => cell.textContent));
  assert.deepEqual(headers, ['Flow', 'Type', 'State', 'Reason', 'Versions', 'Lock holder', 'Apply', 'Verify']);
  const row = page.locator('#flow-table tr[data-id="f-001"]');
  assert.match(await row.innerText(), /3\.0 → 4\.0/);
  assert.match(await row.locator('td.outcome').nth(0).innerText(), /DONE\s+1\.5 s/);
  assert.match(await row.locator('td.outcome').nth(1).innerText(), /VERIFIED/);
  assert.match(await page.locator('#runs').innerText(), /Apply\s+2025-03-04T11:00:00\.000Z\s+2025-03-04T11:01:05\.000Z\s+1 min 5 s\s+DONE 2, FAILED 1/);
  await page.locator('#filter').fill('drift');
  assert.deepEqual(await visibleRowIds(page), ['f-002']);
  await page.locator('#counts-apply button[data-state="failed"]').click();
  assert.deepEqual(await visibleRowIds(page), ['f-003']);
  assert.match(await page.locator('#flow-table tr[data-id="f-003"] .detail').innerText(), /import job failed: <b>bad<\/b> \| `x`\\nsecond line/);
  assert.deepEqual(requests, []);
  assert.deepEqual(errors, []);
  await page.close();
});

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });

test('the real thing: plan --html and the run directory\'s report.html after apply and verify, rendered', async () => {
  const harness = emulator();
  await harness.reset();
  const cwd = tempDir('flowlink-browser-');
  const planned = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', 'Sales_Line_0', '--out', 'plan.json', '--html', 'plan.html']);
  assert.equal(planned.code, 0, planned.stderr);
  const plan = readPlan(join(cwd, 'plan.json'));
  const eligible = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  assert.ok(eligible.length > 5);
  {
    const { page, requests, errors } = await open(join(cwd, 'plan.html'));
    assert.equal((await visibleRowIds(page)).length, plan.flows.length);
    assert.equal((await page.locator('#counts-plan button[data-state="eligible"]').innerText()).trim(), `ELIGIBLE ${eligible.length}`);
    assert.equal(await page.locator('details.diff').count(), eligible.length);
    await page.locator('details.diff').first().locator('summary').click();
    assert.match(await page.locator('details.diff').first().locator('pre').innerText(), /callCommonModule/);
    assert.deepEqual(requests, []);
    assert.deepEqual(errors, []);
    await screenshot(page, 'report-plan-emulator.png');
    await page.close();
  }
  const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(applied.code, 0, applied.stderr);
  const verified = await cli(harness, cwd, ['verify', 'plan.json']);
  assert.equal(verified.code, 0, verified.stderr);
  const [runId] = readdirSync(join(cwd, '.flowlink', 'runs'));
  const { page, requests, errors } = await open(join(cwd, '.flowlink', 'runs', runId ?? '', 'report.html'));
  assert.equal(await page.locator(`#counts-apply button[data-state="done"]`).innerText().then((t) => t.trim()), `DONE ${eligible.length}`);
  assert.equal(await page.locator(`#counts-verify button[data-state="verified"]`).innerText().then((t) => t.trim()), `VERIFIED ${eligible.length}`);
  await page.locator('#filter').fill('verified');
  assert.deepEqual((await visibleRowIds(page)).sort(), eligible.map((flow) => flow.id).sort());
  await page.locator('#filter').fill('');
  await page.locator('details.diff').first().locator('summary').click();
  assert.deepEqual(requests, []);
  assert.deepEqual(errors, []);
  const shot = await screenshot(page, 'report-run-emulator.png');
  assert.ok(existsSync(shot));
  await page.close();
});
