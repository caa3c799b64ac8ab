// GET /api/v1/cases without an inbox is one statement per shape (which
// filters are present, whose cases the caller sees: src/modules/cases/
// list_shape.c). Every combination of filters, for each kind of caller, must
// answer what the unfiltered list says, filtered here, in the same order,
// and the same again page by page.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD, areas } from '../lib/fixtures.mjs';

let srv, town;
const callers = {};

const post = (c, path, body) => c.json(path, { method: 'POST', body: JSON.stringify(body) });

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  for (const k of ['commander', 'staff', 'staff_b', 'grid_worker', 'resident']) callers[k] = await town.login(k);
  const unit = await post(town.admin, '/api/v1/units', { name: '自来水公司', type: 'department', area_code: areas.town });
  assert.equal(unit.status, 201, JSON.stringify(unit.body));
  const h = await post(town.admin, '/api/v1/users', { login: 'h_lists', display_name: 'h_lists', role: 'handler', area_code: areas.town, unit_id: unit.body.id, password: PASSWORD });
  assert.equal(h.status, 201, JSON.stringify(h.body));
  callers.handler = await login(srv, 'h_lists', PASSWORD);

  const { staff, grid_worker: gw, resident } = callers;
  const made = [];
  const make = async (c, body) => {
    const r = await post(c, '/api/v1/cases', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    made.push(r.body);
    return r.body;
  };
  await make(gw, { category: 'sanitation', area_code: areas.gridA, description: '楼道垃圾堆积' });
  await make(gw, { category: 'sanitation', area_code: areas.buildingA, description: '路灯不亮' });
  await make(resident, { category: 'suggestion', description: '楼道增设扶手' });
  await make(resident, { category: 'sanitation', description: '楼道灯坏了' });
  await make(staff, { source: 'window', category: 'help', area_code: areas.gridA, description: '办理低保手续' });
  await make(staff, { source: 'hotline', category: 'inquiry', reporter_phone: '029-88886666', description: '咨询楼道改造', direct_answer: '已答复' });
  await make(callers.staff_b, { source: 'window', category: 'sanitation', area_code: areas.gridB, description: '楼道积水' });
  // Dispatched to the department: its handler's list, as lead.
  for (const c of made.filter((m) => m.state === 'submitted').slice(0, 2)) {
    const seen = await staff.json(`/api/v1/cases/${c.id}`);
    if (seen.status !== 200) continue;
    const r = await post(staff, `/api/v1/cases/${c.id}/actions`, { action: 'dispatch', version: seen.body.version, lead_department: unit.body.id });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
});
after(async () => { await srv.stop(); });

// Everything the caller may see, newest first, through every page.
async function pages(c, query, limit) {
  const ids = [];
  let cursor = null;
  for (let n = 0; n < 100; n++) {
    const r = await c.json(`/api/v1/cases?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
    ids.push(...r.body.items.map((i) => i.id));
    cursor = r.body.next_cursor;
    if (!cursor) return { ids, items: r.body.items };
  }
  throw new Error('no end of pages');
}

const inGridA = (code) => code === areas.gridA || code === areas.buildingA;
const filterValues = {
  state: [null, 'submitted', 'dispatched', 'closed'],
  category: [null, 'sanitation', 'suggestion'],
  source: [null, 'grid_worker', 'window', 'hotline'],
  q: [null, '楼道'],
  area: [null, areas.gridA],
};
const keep = (f) => (i) =>
  (!f.state || i.state === f.state) && (!f.category || i.category.code === f.category) &&
  (!f.source || i.source === f.source) && (!f.q || i.title.includes(f.q) || i.address.includes(f.q)) &&
  (!f.area || inGridA(i.area.code));

function* combinations() {
  for (const state of filterValues.state)
    for (const category of filterValues.category)
      for (const source of filterValues.source)
        for (const q of filterValues.q)
          for (const area of filterValues.area) yield { state, category, source, q, area };
}

for (const who of ['commander', 'staff', 'grid_worker', 'handler', 'resident']) {
  test(`every filter combination for the ${who} answers the unfiltered list, filtered`, async () => {
    const c = callers[who];
    const all = await c.json('/api/v1/cases?limit=500');
    assert.equal(all.status, 200);
    const items = all.body.items;
    assert.ok(items.length >= 1, `${who} sees cases`);
    assert.deepEqual(items.map((i) => i.id), [...items.map((i) => i.id)].sort((a, b) => b - a), 'newest first');
    let nonEmpty = 0;
    for (const f of combinations()) {
      const query = Object.entries(f).filter(([, v]) => v).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      const want = items.filter(keep(f)).map((i) => i.id);
      const got = await c.json(`/api/v1/cases?${query}${query ? '&' : ''}limit=500`);
      assert.equal(got.status, 200, `${who} ${query}: ${JSON.stringify(got.body)}`);
      assert.deepEqual(got.body.items.map((i) => i.id), want, `${who} ${query}`);
      if (want.length > 1) {
        nonEmpty++;
        assert.deepEqual((await pages(c, query, 1)).ids, want, `${who} ${query}, a page of one at a time`);
      }
    }
    assert.ok(nonEmpty >= 2, `${who}: some filters match more than one case`);
  });
}

test('the scope bounds every shape: staff of community A never see grid B', async () => {
  const { ids } = await pages(callers.staff, 'source=window', 2);
  const commander = (await callers.commander.json('/api/v1/cases?source=window&limit=500')).body.items;
  const inB = commander.filter((i) => i.area.code === areas.gridB).map((i) => i.id);
  assert.ok(inB.length >= 1);
  assert.ok(!ids.some((id) => inB.includes(id)));
  assert.equal((await callers.staff.json(`/api/v1/cases?area=${areas.gridB}&state=submitted`)).status, 404);
});
