// Group commit through the server: concurrent durable writes share commits,
// each is answered only once it is durable (it survives a kill -9 at once),
// and a write refused by validation does not take its neighbours with it.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD, areas } from '../lib/fixtures.mjs';

let srv, gw, database;
const WRITES = 64;

async function metric(name) {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  assert.ok(m, name);
  return Number(m[1]);
}
const intake = (description, extra = {}) =>
  gw.json('/api/v1/cases', { method: 'POST', body: JSON.stringify({ category: 'sanitation', area_code: areas.gridA, description, ...extra }) });

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off', '--threads', '32'] });
  database = srv.db;
  const town = await seedIdentity(srv);
  gw = await town.login('grid_worker');
});
after(async () => {
  await srv.stop();
  database.cleanup();
});

test('concurrent writes share commits, and each one acknowledged is durable', async () => {
  const commits = await metric('wangge_db_commits_total');
  // Every fourth write is refused by validation (an unknown category) in
  // the middle of the others: it fails alone.
  const results = await Promise.all(Array.from({ length: WRITES }, (_, i) =>
    i % 4 === 3 ? intake(`坏 ${i}`, { category: 'no-such-category' }) : intake(`group ${i}`)));
  const ok = results.map((r, i) => ({ ...r, description: `group ${i}` })).filter((r) => r.status === 201);
  assert.equal(ok.length, WRITES * 3 / 4, JSON.stringify(results.find((r) => r.status !== 201 && r.status !== 400)));
  for (const r of results.filter((x) => x.status !== 201)) assert.equal(r.body.error.field, 'category');
  const used = (await metric('wangge_db_commits_total')) - commits;
  assert.ok(used < ok.length, `${ok.length} writes took ${used} commits`);

  // Killed without warning, the server loses none of what it acknowledged.
  srv.proc.kill('SIGKILL');
  await srv.exited;
  srv = await startServer({ db: database.url, args: ['--access_log', 'off'] });
  gw = await login(srv, 'grid_worker', PASSWORD);
  for (const r of ok) {
    const back = await gw.json(`/api/v1/cases/${r.body.id}`);
    assert.equal(back.status, 200);
    assert.equal(back.body.description, r.description);
  }
});
