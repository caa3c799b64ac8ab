// A case's steps are numbered in a block of their own (case id × 65536
// onwards), so its timeline is read from adjacent rows. Ids stay unique and
// in order when older ids fill a block: the next step then goes past every
// id, and the next case's block starts after it.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, runSql } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD, areas } from '../lib/fixtures.mjs';

const BLOCK = 65536;
const db = freshDatabase();
after(() => db.cleanup());

const sql = (text) => runSql(db, text);

const ids = (k) => k.timeline.map((e) => e.id);
function ascending(list) {
  for (let i = 1; i < list.length; i++) assert.ok(list[i] > list[i - 1], `ids in order: ${list}`);
}

test('steps are numbered per case, and stay unique when a block is full', async () => {
  let srv = await startServer({ db: db.url, args: ['--access_log', 'off'] });
  const post = (c, path, body) => c.json(path, { method: 'POST', body: JSON.stringify(body) });
  const act = (c, k, action, extra = {}) => post(c, `/api/v1/cases/${k.id}/actions`, { action, version: k.version, ...extra });
  let a, unitId;
  try {
    const town = await seedIdentity(srv);
    const unit = await post(town.admin, '/api/v1/units', { name: '自来水公司', type: 'department', area_code: areas.town });
    assert.equal(unit.status, 201, JSON.stringify(unit.body));
    unitId = unit.body.id;
    const r = await post(town.admin, '/api/v1/users', { login: 'h_water', display_name: 'h_water', role: 'handler', area_code: areas.town, unit_id: unitId, password: PASSWORD });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const staff = await town.login('staff');
    const made = await post(staff, '/api/v1/cases', { category: 'water', area_code: areas.gridA, description: '停水' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    a = (await staff.json(`/api/v1/cases/${made.body.id}`)).body;
    assert.deepEqual(ids(a), [a.id * BLOCK + 1]);
    a = (await act(staff, a, 'dispatch', { lead_department: unitId })).body;
    assert.deepEqual(ids(a), [a.id * BLOCK + 1, a.id * BLOCK + 2]);
  } finally {
    await srv.stop();
  }

  // An older step at the very end of the block leaves it no room.
  const end = (a.id + 1) * BLOCK - 1;
  sql(`INSERT INTO case_events (id, case_id, at, action, party, actor_login, from_state, to_state)`
    + ` VALUES (${end}, ${a.id}, 0, 'remind', 'system', 'system', 'dispatched', 'dispatched')`);
  const last = Number(sql('SELECT MAX(id) FROM case_events'));
  srv = await startServer({ db: db.url, args: ['--access_log', 'off'] });
  try {
    const water = await login(srv, 'h_water', PASSWORD);
    a = (await water.json(`/api/v1/cases/${a.id}`)).body;
    const signed = await act(water, a, 'sign');
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    a = signed.body;
    assert.equal(a.timeline.at(-1).action, 'sign');
    assert.equal(a.timeline.at(-1).id, last + 1);
    ascending(ids(a));

    // The next case's block already holds that id: its steps follow it.
    const staff = await login(srv, 'staff', PASSWORD);
    const made = await post(staff, '/api/v1/cases', { category: 'water', area_code: areas.gridA, description: '又停水' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    let b = (await staff.json(`/api/v1/cases/${made.body.id}`)).body;
    b = (await act(staff, b, 'dispatch', { lead_department: unitId })).body;
    const bIds = ids(b);
    ascending(bIds);
    for (const id of bIds) assert.ok(id > b.id * BLOCK && id < (b.id + 1) * BLOCK, `${id} in the block of case ${b.id}`);
    assert.equal(new Set([...ids(a), ...bIds]).size, ids(a).length + bIds.length);
  } finally {
    await srv.stop();
  }
});
