// Idempotency-Key on POST: a phone that resends gets the first answer and
// nothing is created twice.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { seedIdentity } from '../lib/fixtures.mjs';

let srv, town, gw;
before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  gw = await town.login('grid_worker');
});
after(async () => { await srv.stop(); });

const create = (key, name = '重发测试', client = gw) => client.fetch('/api/v1/persons', {
  method: 'POST', body: JSON.stringify({ name, area_code: town.areas.gridA }), headers: key ? { 'Idempotency-Key': key } : {},
});

test('the same key twice creates one person and answers the same', async () => {
  const a = await create('k-1');
  const b = await create('k-1');
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.equal(a.headers.get('idempotent-replayed'), null);
  const ja = await a.json(), jb = await b.json();
  assert.deepEqual(ja, jb);
  const all = await gw.json(`/api/v1/persons?name=${encodeURIComponent('重发测试')}`);
  assert.equal(all.body.items.length, 1);
  // Without a key, each POST is its own.
  await create(null);
  await create(null);
  assert.equal((await gw.json(`/api/v1/persons?name=${encodeURIComponent('重发测试')}`)).body.items.length, 3);
});

test('a key reused for another request is refused; keys are per caller', async () => {
  assert.equal((await create('k-2', '甲')).status, 201);
  const other = await create('k-2', '乙');
  assert.equal(other.status, 422);
  assert.equal((await other.json()).error.field, 'Idempotency-Key');
  const staff = await town.login('staff');
  assert.equal((await create('k-2', '甲', staff)).status, 201);
});

test('a client error is replayed too; concurrent copies create one', async () => {
  const bad = await gw.fetch('/api/v1/persons', { method: 'POST', body: '{"name":""}', headers: { 'Idempotency-Key': 'k-3' } });
  const again = await gw.fetch('/api/v1/persons', { method: 'POST', body: '{"name":""}', headers: { 'Idempotency-Key': 'k-3' } });
  assert.equal(bad.status, 422);
  assert.equal(again.status, 422);
  const copies = await Promise.all([1, 2, 3, 4].map(() => create('k-4', '并发')));
  const statuses = copies.map((r) => r.status).sort();
  assert.ok(statuses.every((s) => s === 201 || s === 409), statuses.join());
  assert.ok(statuses.includes(201));
  assert.equal((await gw.json(`/api/v1/persons?name=${encodeURIComponent('并发')}`)).body.items.length, 1);
  const malformed = await gw.fetch('/api/v1/persons', { method: 'POST', body: '{}', headers: { 'Idempotency-Key': 'x'.repeat(200) } });
  assert.equal(malformed.status, 400);
});
