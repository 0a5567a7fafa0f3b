import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, emulatorHarness, tempDir } from './helpers.js';

test('verify asks dependency tracking again while it lags (206, stale) and passes once the flows show up', async () => {
  const harness = await emulatorHarness({ rateLimit: 5000, jobMs: 20, dependencyLagMs: 4000 });
  try {
    const cwd = tempDir();
    assert.equal((await cli(harness, cwd, ['plan', '--module', 'Global_Exception_Handler', '--prefix', 'Sales_Line_00', '--out', 'plan.json'])).code, 0);
    assert.equal((await cli(harness, cwd, ['apply', 'plan.json', '--yes'])).code, 0);
    await harness.clearRequests();
    const verified = await cli(harness, cwd, ['verify', 'plan.json', '--json']);
    assert.equal(verified.code, 0, verified.stdout);
    const report = JSON.parse(verified.stdout) as { flows: { state: string }[] };
    assert.ok(report.flows.length > 0 && report.flows.every((flow) => flow.state === 'VERIFIED'));
    const lookups = (await harness.requests()).filter((r) => r.path === '/api/v2/architect/dependencytracking/consumingresources');
    assert.ok(lookups.length >= 2, `dependency tracking asked ${lookups.length} time(s)`);
    assert.equal(lookups[0]?.status, 206, 'the first answer was partial');
    assert.equal(lookups.at(-1)?.status, 200);
  } finally {
    await harness.close();
  }
});
