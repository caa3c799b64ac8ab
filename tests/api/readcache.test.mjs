// The read caches must never be seen: a case read again right after any
// change shows the change, the text rendered for one party is never
// served to another or out of scope, and a caller whose session, role or
// area changed is judged by the change at once (the authenticator's cache).
// Every read below is made twice first, so the cache holds what it must
// then drop.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD, areas } from '../lib/fixtures.mjs';

let srv, town, staff, staffB, gw, resident, handler, unitId;
const post = (c, path, body) => c.json(path, { method: 'POST', body: JSON.stringify(body) });
const patch = (c, path, body) => c.json(path, { method: 'PATCH', body: JSON.stringify(body) });
const act = (c, id, version, action, extra = {}) => post(c, `/api/v1/cases/${id}/actions`, { action, version, ...extra });
async function readTwice(c, id) {
  const first = await c.json(`/api/v1/cases/${id}`);
  const second = await c.json(`/api/v1/cases/${id}`);
  assert.equal(second.status, first.status);
  assert.deepEqual(second.body, first.body, 'a repeated read answers the same');
  return second;
}
async function newCase(description) {
  const r = await post(staff, '/api/v1/cases', { source: 'window', category: 'water', area_code: areas.gridA, description });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  staff = await town.login('staff');
  staffB = await town.login('staff_b');
  gw = await town.login('grid_worker');
  resident = await town.login('resident');
  const u = await post(town.admin, '/api/v1/units', { name: '自来水公司', type: 'department', area_code: areas.town });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  unitId = u.body.id;
  const h = await post(town.admin, '/api/v1/users', { login: 'h_cache', display_name: '水务', role: 'handler', area_code: areas.town, unit_id: unitId, password: PASSWORD });
  assert.equal(h.status, 201, JSON.stringify(h.body));
  handler = await login(srv, 'h_cache', PASSWORD);
});
after(async () => { await srv.stop(); });

test('a changed case is never served stale', async () => {
  const id = await newCase('缓存：停水');
  let c = (await readTwice(staff, id)).body;
  assert.equal(c.version, 1);
  // Each step below changes the case; the next read shows it at once.
  const steps = [
    ['comment', { text: '第一条备注' }, (x) => x.timeline.some((e) => e.note === '第一条备注')],
    ['dispatch', { lead_department: unitId }, (x) => x.state === 'dispatched' && x.lead_department.id === unitId],
    ['supervise', { text: '请加快' }, (x) => x.supervised === true],
    ['remind', {}, (x) => x.reminders === 1],
  ];
  for (const [action, extra, shows] of steps) {
    const r = await act(staff, id, c.version, action, extra);
    assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
    c = (await readTwice(staff, id)).body;
    assert.equal(c.version, r.body.version, `${action}: the new version`);
    assert.ok(shows(c), `${action}: the read shows the step`);
    assert.deepEqual(c, { ...r.body }, `${action}: the read is the action's answer`);
  }
});

test('the text for one party is never served to another, nor out of scope', async () => {
  const id = await newCase('缓存：各方');
  let r = await act(staff, id, 1, 'dispatch', { lead_department: unitId });
  assert.equal(r.status, 200);
  const asStaff = (await readTwice(staff, id)).body;
  assert.deepEqual(asStaff.parties, ['reporter', 'dispatcher', 'supervisor'], 'staff made it at the window');
  // The same role without the reporter's part gets its own text.
  const commander = await town.login('commander');
  const asCommander = (await readTwice(commander, id)).body;
  assert.deepEqual(asCommander.parties, ['dispatcher', 'supervisor']);
  const asHandler = (await readTwice(handler, id)).body;
  assert.deepEqual(asHandler.parties, ['lead_handler']);
  assert.ok(asHandler.allowed_actions.includes('sign') && !asHandler.allowed_actions.includes('supervise'));
  assert.ok(!asStaff.allowed_actions.includes('sign'));
  // A grid worker of the case's grid is in scope but no party.
  const asGw = (await readTwice(gw, id)).body;
  assert.deepEqual(asGw.parties, []);
  assert.ok(!asGw.allowed_actions.includes('supervise'));
  // Out of scope, and a resident who did not report it: as missing.
  for (const who of [staffB, resident]) {
    r = await who.json(`/api/v1/cases/${id}`);
    assert.equal(r.status, 404, JSON.stringify(r.body));
  }
  // And the staff's own copy was not touched by the others' reads.
  assert.deepEqual((await staff.json(`/api/v1/cases/${id}`)).body, asStaff);
});

test('names from other tables: a renamed unit, area or category shows at once', async () => {
  const id = await newCase('缓存：改名');
  const r = await act(staff, id, 1, 'dispatch', { lead_department: unitId });
  assert.equal(r.status, 200);
  await readTwice(staff, id);
  let u = await patch(town.admin, `/api/v1/units/${unitId}`, { name: '市自来水公司' });
  assert.equal(u.status, 200, JSON.stringify(u.body));
  assert.equal((await readTwice(staff, id)).body.lead_department.name, '市自来水公司');
  u = await patch(town.admin, `/api/v1/areas/${areas.gridA}`, { name: '东风社区一网格' });
  assert.equal(u.status, 200, JSON.stringify(u.body));
  assert.equal((await readTwice(staff, id)).body.area.name, '东风社区一网格');
  const cat = (await town.admin.json('/api/v1/case-categories')).body.items.find((k) => k.code === 'water');
  u = await patch(town.admin, '/api/v1/case-categories/water', { name_zh: '供水问题', version: cat.version });
  assert.equal(u.status, 200, JSON.stringify(u.body));
  assert.equal((await readTwice(staff, id)).body.category.name_zh, '供水问题');
});

test('the authenticator: log-out, a new role, a new area, deactivation take effect at once', async () => {
  const make = async (loginName, role, area) => {
    const r = await post(town.admin, '/api/v1/users', { login: loginName, display_name: loginName, role, area_code: area, password: PASSWORD });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return [r.body.id, await login(srv, loginName, PASSWORD)];
  };
  const id = await newCase('缓存：身份');
  // Log-out: the same cookie is refused on the very next request.
  const [, out] = await make('cache_out', 'staff', areas.communityA);
  assert.equal((await out.json('/api/v1/session')).status, 200);
  assert.equal((await out.json('/api/v1/session')).status, 200);
  assert.equal((await out.fetch('/api/v1/session', { method: 'DELETE' })).status, 204);
  assert.equal((await out.json('/api/v1/session')).status, 401);
  // A new role: staff may read the figures, a grid worker may not.
  const [roleId, demoted] = await make('cache_role', 'staff', areas.communityA);
  assert.equal((await demoted.json(`/api/v1/stats/cases?area=${areas.communityA}`)).status, 200);
  let r = await patch(town.admin, `/api/v1/users/${roleId}`, { role: 'grid_worker', area_code: areas.gridA });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await demoted.json(`/api/v1/stats/cases?area=${areas.communityA}`);
  if (r.status !== 401) assert.equal(r.status, 403, 'the old role is not remembered');
  // A new area: the case of community A is out of the new scope at once.
  const [areaId, moved] = await make('cache_area', 'staff', areas.communityA);
  assert.equal((await readTwice(moved, id)).status, 200);
  r = await patch(town.admin, `/api/v1/users/${areaId}`, { area_code: areas.communityB });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await moved.json(`/api/v1/cases/${id}`);
  assert.ok(r.status === 404 || r.status === 401, `out of the new scope: ${r.status}`);
  // Deactivated: refused at once.
  const [goneId, gone] = await make('cache_gone', 'staff', areas.communityA);
  assert.equal((await gone.json('/api/v1/session')).status, 200);
  r = await patch(town.admin, `/api/v1/users/${goneId}`, { active: false });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await gone.json('/api/v1/session')).status, 401);
});
