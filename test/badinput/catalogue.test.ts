import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryHost } from '../helpers/cli-host.js';
import { emulatorHarness, CLIENT_ID, CLIENT_SECRET, type Harness } from '../client/harness.js';
import { CATALOGUE, catalogueMarkdown, normalise, runRow, type BadInputRow, type RowContext } from './catalogue.js';
import type { PlanFile } from '../../src/rollout/plan-file.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'bad-input.md');
let harness: Harness;
const results: { row: BadInputRow; message: string; code: number }[] = [];

before(async () => {
  // A budget far above what a row needs; latency and job time small, so the catalogue runs in seconds.
  harness = await emulatorHarness({ rateLimit: 100_000, jobMs: 10 });
});
after(async () => harness.close());

for (const row of CATALOGUE) {
  test(`${row.id} ${row.category}: ${row.input} -> exit ${row.exitCode}`, async () => {
    await harness.reset();
    const cwd = mkdtempSync(join(tmpdir(), 'flowlink-badinput-'));
    const ctx: RowContext = {
      harness,
      cwd,
      validPlan: async () => {
        const io = memoryHost({ GENESYS_ENVIRONMENT: harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET }, cwd);
        const code = await main(['plan', '--module', 'Global_Exception_Handler', '--prefix', 'Sales_Line_', '--out', 'plan.json'], io.host);
        assert.equal(code, 0, io.stderr());
        return JSON.parse(readFileSync(join(cwd, 'plan.json'), 'utf8')) as PlanFile;
      },
    };
    await harness.clearRequests();
    const outcome = await runRow(row, ctx);
    assert.equal(outcome.code, row.exitCode, `exit code; stdout: ${outcome.stdout.slice(0, 400)} stderr: ${outcome.stderr.slice(0, 400)}`);
    assert.match(outcome.message, row.message);
    // One line, no stack trace, whatever went wrong.
    assert.doesNotMatch(outcome.stderr, /\n\s+at .+\(.+:\d+:\d+\)/);
    assert.doesNotMatch(outcome.stderr, /internal error/);
    const problem = await row.check?.(ctx, outcome);
    assert.equal(problem, undefined, problem);
    results.push({ row, message: normalise(outcome.message, ctx), code: outcome.code });
  });
}

test('docs/bad-input.md lists every row with the exit code and message it gives', () => {
  assert.equal(results.length, CATALOGUE.length, 'every row ran');
  const ordered = CATALOGUE.map((row) => results.find((result) => result.row === row) as (typeof results)[number]);
  const expected = catalogueMarkdown(ordered);
  if (process.env.FLOWLINK_WRITE_DOCS === '1') writeFileSync(DOC, expected);
  assert.ok(existsSync(DOC), 'docs/bad-input.md exists (npm run docs:bad-input writes it)');
  assert.equal(readFileSync(DOC, 'utf8'), expected, 'docs/bad-input.md is out of date: run npm run docs:bad-input');
});
