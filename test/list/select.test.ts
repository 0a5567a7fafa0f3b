import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { createFlowMatcher, globToRegExp, matchFlow, selectorsFromOptions, type SelectorOptionValues } from '../../src/rollout/select.js';
import { addSelectorOptions } from '../../src/cli/selector-options.js';

const flow = (name: string, type = 'INBOUNDCALL', id = `id-${name}`, division = { id: 'div-sales', name: 'Sales' }) => ({ id, name, type, division });

function parse(argv: string[]) {
  const command = addSelectorOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => undefined }));
  command.parse(argv, { from: 'user' });
  return selectorsFromOptions(command.opts<SelectorOptionValues>());
}

test('defaults: the four inbound types, no name filter', () => {
  const selectors = parse([]);
  assert.deepEqual(selectors.types, ['inboundcall', 'inboundchat', 'inboundemail', 'inboundshortmessage']);
  assert.equal(matchFlow(flow('Anything'), selectors), 'selected');
  assert.equal(matchFlow(flow('Q', 'INQUEUECALL'), selectors), 'not-selected');
});

test('--type takes commas and repeats, in any case; a wrong type is a usage error', () => {
  assert.deepEqual(parse(['--type', 'inboundchat,INBOUNDEMAIL', '--type', 'inboundchat']).types, ['inboundchat', 'inboundemail']);
  assert.throws(() => parse(['--type', 'inbound']), /'inbound' is not a Genesys flow type/);
});

test('--prefix P is --name "P*", and its wildcard characters are literal', () => {
  const selectors = parse(['--prefix', 'Sales_Line_']);
  assert.equal(matchFlow(flow('Sales_Line_001'), selectors), 'selected');
  assert.equal(matchFlow(flow('sales_line_002'), selectors), 'selected');
  assert.equal(matchFlow(flow('Sales_Lines'), selectors), 'not-selected');
  assert.equal(matchFlow(flow('XSales_Line_001'), selectors), 'not-selected');
  const star = parse(['--prefix', 'A*B']);
  assert.equal(matchFlow(flow('A*B tail'), star), 'selected');
  assert.equal(matchFlow(flow('AxB tail'), star), 'not-selected');
});

test('globs: * and ? over the whole name; several --name are alternatives', () => {
  assert.ok(globToRegExp('Sales_??1').test('Sales_001'));
  assert.ok(!globToRegExp('Sales_??1').test('Sales_0001'));
  assert.ok(globToRegExp('*Line (EU)*').test('Sales Line (EU) v2'));
  const selectors = parse(['--name', 'Support*', '--name', '*_Chat']);
  assert.equal(matchFlow(flow('Support_Line_1'), selectors), 'selected');
  assert.equal(matchFlow(flow('Web_Chat'), selectors), 'selected');
  assert.equal(matchFlow(flow('Sales_Line_1'), selectors), 'not-selected');
});

test('--name-regex; an invalid regex is a usage error', () => {
  const selectors = parse(['--name-regex', '^Sales_Line_0[0-1][0-9]$']);
  assert.equal(matchFlow(flow('Sales_Line_019'), selectors), 'selected');
  assert.equal(matchFlow(flow('Sales_Line_020'), selectors), 'not-selected');
  assert.throws(() => parse(['--name-regex', '(']), /not a valid regular expression/);
});

test('--include adds a flow by id or name to a name selection; --exclude marks a selected flow EXCLUDED', () => {
  const selectors = parse(['--prefix', 'Sales_', '--include', 'id-Other', '--include', 'third', '--exclude', 'Sales_2', '--exclude', 'id-Sales_3']);
  assert.equal(matchFlow(flow('Other'), selectors), 'selected');
  assert.equal(matchFlow(flow('Third'), selectors), 'selected');
  assert.equal(matchFlow(flow('Sales_1'), selectors), 'selected');
  assert.equal(matchFlow(flow('Sales_2'), selectors), 'excluded');
  assert.equal(matchFlow(flow('Sales_3'), selectors), 'excluded');
  assert.equal(matchFlow(flow('Fourth'), selectors), 'not-selected');
});

test('--division by name (any case) or id', () => {
  const byName = parse(['--division', 'sales']);
  const byId = parse(['--division', 'div-support']);
  const support = flow('S', 'INBOUNDCALL', 's', { id: 'div-support', name: 'Support' });
  assert.equal(matchFlow(flow('A'), byName), 'selected');
  assert.equal(matchFlow(support, byName), 'not-selected');
  assert.equal(matchFlow(support, byId), 'selected');
});

test('--calls and --not-calls use the callers of each module', () => {
  const callers = new Map([['Global_Exception_Handler', new Set(['id-A'])]]);
  const calls = createFlowMatcher(parse(['--calls', 'Global_Exception_Handler']));
  const notCalls = createFlowMatcher(parse(['--not-calls', 'Global_Exception_Handler']));
  assert.equal(calls(flow('A'), callers), 'selected');
  assert.equal(calls(flow('B'), callers), 'not-selected');
  assert.equal(notCalls(flow('A'), callers), 'not-selected');
  assert.equal(notCalls(flow('B'), callers), 'selected');
});
