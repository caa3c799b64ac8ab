// The case figures come from aggregates kept on write (migration 0008): after
// a mixed workload through the API (every intake channel, the loop with a
// reopening, a return, a merge, a withdrawal) and after an area moves, the
// figures equal those recounted from the cases by `wangge migrate
// --rebuild-figures`, for every group_by and at every level.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, run } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD, areas } from '../lib/fixtures.mjs';
import { allFigures as figures } from '../lib/figures.mjs';

let srv, town, staff, staffB, commander, water;
const units = {};
const post = (c, path, body) => c.json(path, { method: 'POST', body: JSON.stringify(body) });
const act = (c, id, version, action, extra = {}) => post(c, `/api/v1/cases/${id}/actions`, { action, version, ...extra });
async function anon(path, body) {
  const r = await fetch(srv.url + path, { method: body ? 'POST' : 'GET', headers: { 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  staff = await town.login('staff');
  staffB = await town.login('staff_b');
  commander = await town.login('commander');
  for (const name of ['自来水公司', '城管执法中队']) {
    const r = await post(town.admin, '/api/v1/units', { name, type: 'department', area_code: areas.town });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    units[name] = r.body.id;
  }
  const r = await post(town.admin, '/api/v1/users', { login: 'h_water', display_name: 'h_water', role: 'handler', area_code: areas.town, unit_id: units['自来水公司'], password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  water = await login(srv, 'h_water', PASSWORD);
});
after(async () => { await srv.stop(); });

function rebuild() {
  const r = run(['migrate', '--db', srv.db.url, '--rebuild-figures']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /recounted/);
}

async function case_(client, body) {
  const r = await post(client, '/api/v1/cases', { category: 'water', description: '停水', reporter_phone: '13912345678', ...body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return (await client.json(`/api/v1/cases/${r.body.id}`)).body;
}

test('after a mixed workload the kept figures equal a recount; so after a move', async () => {
  const lead = { lead_department: units['自来水公司'] };
  // the loop with a reopening by an unsatisfied rating
  const pub = await anon('/api/v1/public/cases', { category: 'water', area_code: areas.gridA, description: '3号楼停水', reporter_phone: '13912345678' });
  assert.equal(pub.status, 201, JSON.stringify(pub.body));
  let c = (await staff.json(`/api/v1/cases/${pub.body.id}`)).body;
  c = (await act(staff, c.id, c.version, 'dispatch', lead)).body;
  c = (await act(water, c.id, c.version, 'sign')).body;
  c = (await act(water, c.id, c.version, 'resolve', { result: '已修复' })).body;
  let f = await anon(`/api/v1/public/cases/${pub.body.follow_code}`);
  let r = await anon(`/api/v1/public/cases/${pub.body.follow_code}/actions`, { action: 'rate', version: f.body.version, rating_outcome: 'not', satisfaction: 'unsatisfied' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  c = (await water.json(`/api/v1/cases/${c.id}`)).body;
  c = (await act(water, c.id, c.version, 'resolve', { result: '二次维修' })).body;
  f = await anon(`/api/v1/public/cases/${pub.body.follow_code}`);
  r = await anon(`/api/v1/public/cases/${pub.body.follow_code}/actions`, { action: 'rate', version: f.body.version, rating_outcome: 'partly', satisfaction: 'basically_satisfied' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // answered at once by the hotline; a return; a merge; a withdrawal
  await case_(staff, { source: 'hotline', category: 'inquiry', area_code: areas.buildingA, direct_answer: '已告知' });
  let back = await case_(staff, { area_code: areas.gridA, category: 'sanitation' });
  back = (await act(staff, back.id, back.version, 'dispatch', lead)).body;
  back = (await act(water, back.id, back.version, 'return', { return_reason: 'not_our_duty' })).body;
  assert.equal(back.state, 'returned');
  const dup = await case_(staff, { area_code: areas.gridA });
  r = await act(staff, dup.id, dup.version, 'merge', { merged_into: back.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const w = await anon('/api/v1/public/cases', { category: 'help', area_code: areas.gridA, description: '求助', reporter_phone: '13912345678' });
  r = await anon(`/api/v1/public/cases/${w.body.follow_code}/actions`, { action: 'withdraw', version: 1 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // open ones, on the other side too
  const open = await case_(staff, { area_code: areas.gridA, category: 'hazard' });
  await act(staff, open.id, open.version, 'dispatch', { lead_department: units['城管执法中队'] });
  await case_(staffB, { area_code: areas.gridB, source: 'window' });

  const viewers = [['admin', town.admin, null], ['county', commander, null], ['community', staff, null],
    ['grid', town.admin, areas.gridA], ['communityB', town.admin, areas.communityB]];
  const kept = await figures(viewers);
  assert.equal(kept['admin area'].totals.received, 6); // the merged duplicate counts nowhere
  assert.equal(kept['admin area'].totals.rated, 1);
  assert.equal(kept['admin area'].totals.reopened, 1);
  rebuild();
  assert.deepEqual(await figures(viewers), kept);

  // grid A moves to a new community: its cases leave community A's figures
  const made = await post(town.admin, '/api/v1/areas', { code: 'C9', name: '新社区', level: 'community', parent_code: areas.town });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  r = await post(town.admin, `/api/v1/areas/${areas.gridA}/move`, { parent_code: 'C9' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const moved = [...viewers, ['new community', town.admin, 'C9'], ['town', town.admin, areas.town]];
  const after = await figures(moved);
  assert.equal(after['new community area'].totals.received, 5);
  assert.equal(after['community area'].totals.received, 0);
  rebuild();
  assert.deepEqual(await figures(moved), after);
});
