import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetEta } from '../../src/cli/progress.js';

// The ETA comes from the token's budget and the work left, so it does not swing with a rate window's boundary.
test('ETA = flows left x requests per flow so far / the budget per minute', () => {
  let requests = 0;
  const budget = { requestsPerMinute: 300, requests: () => requests };
  assert.equal(budgetEta(budget, 300, 0), '2m00s', 'before any flow: two requests a flow assumed');
  requests = 110;
  assert.equal(budgetEta(budget, 1000, 100), '3m40s', '1.1 requests a flow, 1000 left, 300 a minute');
  // The same work left gives the same ETA however bursty the last seconds were: only totals count.
  assert.equal(budgetEta(budget, 1000, 100), budgetEta({ ...budget }, 1000, 100));
  requests = 5;
  assert.equal(budgetEta(budget, 30, 10), '6s', 'never below one request a flow');
});
