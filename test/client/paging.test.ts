import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync, strToU8 } from 'fflate';
import { createClient } from '../../src/client/index.js';
import { readExport } from '../../src/client/resources/export-jobs.js';
import { fakeTransport, json, type SeenCall, virtualClock } from './fakes.js';

function setup(route: (call: SeenCall) => Response | undefined) {
  const clock = virtualClock();
  const transport = fakeTransport(route, clock);
  const client = createClient({ environment: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 'paging-secret', transport, clock });
  return { client, transport };
}

const flows = (page: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `f${page}-${i}`, name: `F ${page}-${i}`, type: 'INBOUNDCALL' }));

test('the walk goes to pageCount even when nextUri is absent, and stops there even when nextUri is present', async () => {
  const { client, transport } = setup((call) => {
    const page = Number(call.url.searchParams.get('pageNumber'));
    // Page 2 lacks nextUri although page 3 exists; page 3 carries a bogus nextUri.
    const nextUri = page === 1 ? '/api/v2/flows?pageNumber=2' : page === 3 ? '/api/v2/flows?pageNumber=4' : undefined;
    return json(200, { entities: flows(page, 2), pageNumber: page, pageSize: 2, pageCount: 3, total: 6, ...(nextUri ? { nextUri } : {}) });
  });
  const ids: string[] = [];
  for await (const flow of client.flows.list({ type: ['inboundcall'] }, { pageSize: 2 })) ids.push(flow.id);
  assert.deepEqual(ids, ['f1-0', 'f1-1', 'f2-0', 'f2-1', 'f3-0', 'f3-1']);
  assert.equal(transport.apiCalls().length, 3);
  const first = transport.apiCalls()[0]!.url.searchParams;
  assert.equal(first.get('type'), 'inboundcall');
  assert.equal(first.get('pageSize'), '2');
});

test('without a page count a short page ends the walk', async () => {
  const { client, transport } = setup((call) => {
    const page = Number(call.url.searchParams.get('pageNumber'));
    return json(200, { entities: flows(page, page < 3 ? 2 : 1) });
  });
  const all = await client.collect('/api/v2/flows', {}, { pageSize: 2 });
  assert.equal(all.items.length, 5);
  assert.equal(transport.apiCalls().length, 3);
});

test('prefetched pages arrive in order and each page is requested once', async () => {
  const { client, transport } = setup((call) => {
    const page = Number(call.url.searchParams.get('pageNumber'));
    return json(200, { entities: flows(page, 1), pageNumber: page, pageSize: 1, pageCount: 7 });
  });
  const pagesSeen: number[] = [];
  for await (const page of client.flows.pages({}, { pageSize: 1, prefetch: 3 })) pagesSeen.push(page.pageNumber);
  assert.deepEqual(pagesSeen, [1, 2, 3, 4, 5, 6, 7]);
  const requested = transport.apiCalls().map((c) => Number(c.url.searchParams.get('pageNumber'))).sort((a, b) => a - b);
  assert.deepEqual(requested, [1, 2, 3, 4, 5, 6, 7]);
});

test('a flow seen twice (it moved between pages mid-walk) is listed once', async () => {
  const { client } = setup((call) => {
    const page = Number(call.url.searchParams.get('pageNumber'));
    const entities = page === 1 ? [{ id: 'a', name: 'A', type: 'INBOUNDCALL' }, { id: 'b', name: 'B', type: 'INBOUNDCALL' }]
      : [{ id: 'b', name: 'B', type: 'INBOUNDCALL' }, { id: 'c', name: 'C', type: 'INBOUNDCALL' }];
    return json(200, { entities, pageNumber: page, pageSize: 2, pageCount: 2 });
  });
  const ids: string[] = [];
  for await (const flow of client.flows.list({}, { pageSize: 2 })) ids.push(flow.id);
  assert.deepEqual(ids, ['a', 'b', 'c']);
});

test('dependency answers with HTTP 206 are flagged partial', async () => {
  const { client, transport } = setup((call) => {
    if (call.url.pathname.endsWith('/consumingresources')) {
      return new Response(JSON.stringify({ entities: [{ id: 'f1', type: 'INBOUNDCALLFLOW' }], pageNumber: 1, pageCount: 1 }), {
        status: 206, headers: { 'content-type': 'application/json' },
      });
    }
    return undefined;
  });
  const consumers = await client.dependencies.consumers('module-1', { version: '3.0', resourceTypes: ['INBOUNDCALLFLOW', 'INBOUNDCHATFLOW'] });
  assert.equal(consumers.partial, true);
  assert.deepEqual(consumers.items.map((d) => d.id), ['f1']);
  const query = transport.apiCalls()[0]!.url.searchParams;
  assert.equal(query.get('objectType'), 'COMMONMODULEFLOW');
  assert.equal(query.get('resourceType'), 'INBOUNDCALLFLOW,INBOUNDCHATFLOW');
  assert.equal(query.get('id'), 'module-1');
  assert.equal(query.get('version'), '3.0');
});

test('findByName keeps only the exact name of the wanted type', async () => {
  const { client } = setup(() => json(200, {
    entities: [
      { id: '1', name: 'Holiday_Check_v2', type: 'COMMONMODULE' },
      { id: '2', name: 'Holiday_Check', type: 'COMMONMODULE' },
    ],
    pageNumber: 1, pageCount: 1,
  }));
  assert.equal((await client.flows.findByName('Holiday_Check', 'commonmodule'))?.id, '2');
  assert.equal(await client.flows.findByName('Holiday', 'commonmodule'), undefined);
});

test('an export zip is matched to flows by the fileName asked for, not by an id inside a name; a BOM survives', () => {
  const zip = zipSync({
    'id-1.yaml': strToU8('\uFEFFinboundCall:\n  name: Sales_Line_001\n'),
    'Other-INBOUNDCALL-id-2.yaml': strToU8('inboundCall:\n  name: Other\n'),
  });
  const files = readExport(zip, [{ id: 'id-1' }, { id: 'id-2' }, { id: 'id-3' }]);
  // Entries are found by the fileName asked for (`<id>.yaml`), never by an id inside some other name.
  assert.equal(files.size, 1);
  assert.equal(files.get('id-1')!.yaml, '\uFEFFinboundCall:\n  name: Sales_Line_001\n');
  assert.equal(files.has('id-2'), false);
  const single = readExport(strToU8('inboundCall: {}\n'), [{ id: 'solo' }]);
  assert.equal(single.get('solo')!.yaml, 'inboundCall: {}\n');
  // Raw YAML for a job of several flows: it is the one flow no error names, or nobody's.
  const raw = strToU8('inboundCall: {}\n');
  const named = readExport(raw, [{ id: 'a' }, { id: 'b' }], [{ type: 'Error', text: 'Could not find the flow with id b.' }]);
  assert.deepEqual([...named.keys()], ['a']);
  assert.equal(readExport(raw, [{ id: 'a' }, { id: 'b' }]).size, 0);
});

test('export: a flow failed by a throttling artefact (exit code 107) gets one more job; a flow really missing does not', async () => {
  let jobs = 0;
  const { client, transport } = setup((call) => {
    if (call.method === 'POST' && call.url.pathname === '/api/v2/flows/export/jobs') {
      jobs += 1;
      const ids = (JSON.parse(call.body) as { flows: { flow: { id: string } }[] }).flows.map((f) => f.flow.id);
      const messages = jobs === 1
        ? [
            { type: 'Error', text: 'Archy failed: could not find the flow with id a, exit code: 107' },
            { type: 'Error', text: 'Could not find the flow with id gone.' },
          ]
        : [];
      return json(200, { id: `job-${jobs}`, status: 'Success', downloadUrl: `http://127.0.0.1:9/__dl/${jobs}?ids=${ids.join(',')}`, messages });
    }
    if (call.url.pathname.startsWith('/__dl/')) {
      assert.equal(call.headers.get('authorization'), null, 'no bearer on the download');
      const ids = call.url.searchParams.get('ids')!.split(',').filter((id) => id !== 'gone' && !(jobs === 1 && id === 'a'));
      const files = Object.fromEntries(ids.map((id) => [`${id}.yaml`, strToU8(`inboundCall:\n  name: ${id}\n`)]));
      return new Response(ids.length === 1 && call.url.searchParams.get('ids')!.split(',').length === 1 ? files[`${ids[0]}.yaml`] : zipSync(files));
    }
    return undefined;
  });
  const results = await client.exportJobs.exportFlows([{ id: 'a', version: '1.0' }, { id: 'b' }, { id: 'gone' }], { poll: { initialMs: 1 } });
  assert.deepEqual(results.map((r) => [r.flowId, r.ok]), [['a', true], ['b', true], ['gone', false]]);
  assert.equal(jobs, 2);
  const second = JSON.parse(transport.apiCalls().filter((c) => c.method === 'POST')[1]!.body) as unknown;
  assert.deepEqual(second, { flows: [{ flow: { id: 'a', version: '1.0' }, exportType: 'Yaml', fileName: 'a' }] });
  const gone = results[2]!;
  assert.ok(!gone.ok && /Could not find the flow with id gone/.test(gone.error));
});

test('a 413 "reduce pageSize" on the first page halves the page size once and walks on', async () => {
  const { client, transport } = setup((call) => {
    const size = Number(call.url.searchParams.get('pageSize'));
    if (size > 250) return json(413, { message: 'Reduce pageSize', code: 'response.entity.too.large' });
    const page = Number(call.url.searchParams.get('pageNumber'));
    return json(200, { entities: flows(page, 2), pageNumber: page, pageSize: size, pageCount: 2 });
  });
  const ids: string[] = [];
  for await (const flow of client.flows.list()) ids.push(flow.id);
  assert.equal(ids.length, 4);
  assert.deepEqual(transport.apiCalls().map((c) => c.url.searchParams.get('pageSize')), ['500', '250', '250']);
});
