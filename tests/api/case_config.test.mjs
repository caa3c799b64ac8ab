// The configuration of cases over HTTP: categories (tree, limits, fields,
// versions), routing rules (validation, duplicates, scope) and the working
// calendar (built-in, edited, refused with its line number).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { seedIdentity } from '../lib/fixtures.mjs';

let srv, town, admin, adminA, staff, resident;
const units = {};
before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  admin = town.admin;
  adminA = await town.login('admin_a');
  staff = await town.login('staff');
  resident = await town.login('resident');
  // Departments: two of the county (usable anywhere below it), one in each community.
  for (const [key, name, area] of [['water', '自来水公司', 'county'], ['street', '城管科', 'county'],
    ['commA', '东风社区居委会', 'communityA'], ['commB', '西关社区居委会', 'communityB']]) {
    const r = await admin.json('/api/v1/units', { method: 'POST', body: JSON.stringify({ name, type: 'department', area_code: town.areas[area] }) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    units[key] = r.body.id;
  }
});
after(async () => { await srv.stop(); });

const send = (c, method, path, body) => c.json(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });

// ---- categories ----

test('the seeded categories come in tree order with their limits', async () => {
  const r = await resident.json('/api/v1/case-categories');
  assert.equal(r.status, 200);
  const codes = r.body.items.map((c) => c.code);
  assert.deepEqual(codes.slice(0, 6), ['epidemic', 'livelihood', 'water', 'power', 'gas', 'heating']);
  const water = r.body.items.find((c) => c.code === 'water');
  assert.equal(water.parent_code, 'livelihood');
  assert.equal(water.depth, 1);
  assert.deepEqual(water.limits, { sign_hours: 4, resolve_limit: 3, resolve_unit: 'days', urgent: false, urgent_sign_hours: 2, urgent_resolve_hours: 24 });
  assert.deepEqual(water.fields, []);
  assert.equal(water.version, 1);
  assert.equal(r.body.items.find((c) => c.code === 'epidemic').limits.resolve_unit, 'hours');
});

test('the public list needs no session and shows no internals', async () => {
  const res = await fetch(`${srv.url}/api/v1/public/case-categories`);
  assert.equal(res.status, 200);
  const body = await res.json();
  const gas = body.items.find((c) => c.code === 'gas');
  assert.deepEqual(Object.keys(gas).sort(), ['code', 'description', 'fields', 'name_en', 'name_zh', 'parent_code', 'urgent']);
  assert.equal(body.items.find((c) => c.code === 'forest_fire').urgent, true);
});

const goodFields = [
  { code: 'floor', name_zh: '楼层', name_en: 'Floor', type: 'number', required: true },
  { code: 'kind', name_zh: '类型', name_en: 'Kind', type: 'singlevaluelist', values: [{ key: 'leak', name: '漏水' }, { key: 'cut', name: '停水' }] },
];
const many = (n) => Array.from({ length: n }, (_, i) => ({ code: `f${i}`, name_zh: '问', name_en: 'Q', type: 'string' }));
// category body -> status, field
const createRows = [
  [{ code: 'A_b', name_zh: '甲', name_en: 'A' }, 422, 'code'],
  [{ code: 'a', name_zh: '甲', name_en: 'A' }, 422, 'code'],
  [{ code: 'x'.repeat(33), name_zh: '甲', name_en: 'A' }, 422, 'code'],
  [{ code: 'ok_code', name_zh: '', name_en: 'A' }, 422, 'name_zh'],
  [{ code: 'ok_code', name_zh: '甲' }, 422, 'name_en'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', parent_code: 'nowhere' }, 422, 'parent_code'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', limits: { sign_hours: 0 } }, 422, 'limits.sign_hours'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', limits: { resolve_limit: 721 } }, 422, 'limits.resolve_limit'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', limits: { resolve_unit: 'weeks' } }, 422, 'limits.resolve_unit'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', limits: { urgent_sign_hours: 169 } }, 422, 'limits.urgent_sign_hours'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', limits: { urgent_resolve_hours: 0 } }, 422, 'limits.urgent_resolve_hours'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', limits: { urgent: 'yes' } }, 422, 'limits.urgent'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', limits: { weeks: 1 } }, 422, 'limits'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', fields: {} }, 422, 'fields'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', fields: many(21) }, 422, 'fields'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', fields: [{ ...goodFields[0], type: 'colour' }] }, 422, 'fields'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', fields: [{ ...goodFields[1], values: [] }] }, 422, 'fields'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', fields: [{ ...goodFields[0], values: [{ key: 'a', name: 'b' }] }] }, 422, 'fields'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', fields: [goodFields[0], goodFields[0]] }, 422, 'fields'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', fields: [{ ...goodFields[1], values: [{ key: 'a', name: 'b' }, { key: 'a', name: 'c' }] }] }, 422, 'fields'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', fields: [{ ...goodFields[0], colour: 1 }] }, 422, 'fields'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', version: 1 }, 422, 'version'],
  [{ code: 'ok_code', name_zh: '甲', name_en: 'A', colour: 'red' }, 422, 'colour'],
  [{ code: 'water', name_zh: '供水', name_en: 'Water' }, 409, 'code'],
];
for (const [body, status, field] of createRows) {
  test(`POST /case-categories ${JSON.stringify(body).slice(0, 90)} -> ${status} ${field}`, async () => {
    const r = await send(admin, 'POST', '/api/v1/case-categories', body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.field, field);
  });
}

test('a category is created under a parent, normalized, audited, and changed with versions', async () => {
  const r = await send(admin, 'POST', '/api/v1/case-categories', {
    code: 'water_leak', parent_code: 'water', name_zh: '管网漏水', name_en: 'Leaking mains',
    limits: { sign_hours: 2, resolve_limit: 48, resolve_unit: 'hours' }, fields: goodFields,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.depth, 2);
  assert.equal(r.body.version, 1);
  assert.deepEqual(r.body.limits, { sign_hours: 2, resolve_limit: 48, resolve_unit: 'hours', urgent: false, urgent_sign_hours: 2, urgent_resolve_hours: 24 });
  assert.equal(r.body.fields[0].required, true);
  assert.equal(r.body.fields[1].required, false);
  assert.deepEqual(r.body.fields[1].values, goodFields[1].values);
  const list = (await admin.json('/api/v1/case-categories')).body.items.map((c) => c.code);
  assert.equal(list.indexOf('water_leak'), list.indexOf('water') + 1, 'right under its parent');
  const audit = await admin.json('/api/v1/audit?action=case_category.create&object_id=water_leak');
  assert.equal(audit.body.items.length, 1);

  // A change keeps what it does not name; a stale version is refused.
  const p = await send(admin, 'PATCH', '/api/v1/case-categories/water_leak', { limits: { urgent: true }, version: 1 });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.version, 2);
  assert.equal(p.body.limits.urgent, true);
  assert.equal(p.body.limits.resolve_limit, 48);
  assert.equal(p.body.fields.length, 2);
  const stale = await send(admin, 'PATCH', '/api/v1/case-categories/water_leak', { name_zh: '漏水', version: 1 });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.code, 'conflict');
  const unversioned = await send(admin, 'PATCH', '/api/v1/case-categories/water_leak', { fields: [] });
  assert.equal(unversioned.status, 200);
  assert.deepEqual(unversioned.body.fields, []);
  assert.equal(unversioned.body.version, 3);
});

// PATCH path, body -> status, field
const patchRows = [
  ['livelihood', { parent_code: 'water' }, 422, 'parent_code'], // its own child: a cycle
  ['livelihood', { parent_code: 'livelihood' }, 422, 'parent_code'],
  ['water', { parent_code: 'nowhere' }, 422, 'parent_code'],
  ['water', { code: 'other' }, 422, 'code'],
  ['water', { limits: { sign_hours: 721 } }, 422, 'limits.sign_hours'],
  ['water', { version: 0 }, 422, 'version'],
  ['nowhere', { name_zh: '无' }, 404, null],
  ['NOT-A-CODE', { name_zh: '无' }, 404, null],
];
for (const [code, body, status, field] of patchRows) {
  test(`PATCH /case-categories/${code} ${JSON.stringify(body)} -> ${status}`, async () => {
    const r = await send(admin, 'PATCH', `/api/v1/case-categories/${code}`, body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.field, field);
  });
}

test('a category moves to the root with null, and retiring one hides its subtree from the public', async () => {
  const mk = await send(admin, 'POST', '/api/v1/case-categories', { code: 'noise', name_zh: '噪声', name_en: 'Noise', parent_code: 'sanitation' });
  assert.equal(mk.status, 201);
  const kid = await send(admin, 'POST', '/api/v1/case-categories', { code: 'noise_night', name_zh: '夜间噪声', name_en: 'Night noise', parent_code: 'noise' });
  assert.equal(kid.status, 201);
  const moved = await send(admin, 'PATCH', '/api/v1/case-categories/noise', { parent_code: null });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(moved.body.parent_code, null);
  assert.equal(moved.body.depth, 0);
  const retired = await send(admin, 'PATCH', '/api/v1/case-categories/noise', { active: false });
  assert.equal(retired.status, 200);
  assert.equal(retired.body.active, false);
  const pub = (await (await fetch(`${srv.url}/api/v1/public/case-categories`)).json()).items.map((c) => c.code);
  assert.ok(!pub.includes('noise') && !pub.includes('noise_night'));
  const all = (await staff.json('/api/v1/case-categories')).body.items.map((c) => c.code);
  assert.ok(all.includes('noise') && all.includes('noise_night'));
});

test('only cases.configure changes categories', async () => {
  assert.equal((await send(staff, 'POST', '/api/v1/case-categories', { code: 'zz', name_zh: '甲', name_en: 'A' })).status, 403);
  assert.equal((await send(staff, 'PATCH', '/api/v1/case-categories/water', { name_zh: '甲' })).status, 403);
});

// ---- routing rules ----

test('routing rules: create, validate, refuse duplicates, change, delete', async () => {
  const base = { category: 'water', area_code: town.areas.communityA, lead_unit_id: units.water, co_unit_ids: [units.commA], auto: true };
  const r = await send(admin, 'POST', '/api/v1/case-routes', base);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.category, 'water');
  assert.equal(r.body.area.code, town.areas.communityA);
  assert.deepEqual(r.body.lead_unit, { id: units.water, name: '自来水公司' });
  assert.deepEqual(r.body.co_units.map((u) => u.id), [units.commA]);
  assert.equal(r.body.auto, true);

  // body changes -> status, field
  const bad = [
    [{ category: 'nowhere' }, 422, 'category'],
    [{ area_code: 'nowhere' }, 422, 'area_code'],
    [{ lead_unit_id: 999999 }, 422, 'lead_unit_id'],
    [{ co_unit_ids: [units.water] }, 422, 'co_unit_ids'], // the lead again
    [{ co_unit_ids: [units.commA, units.commA] }, 422, 'co_unit_ids'],
    [{ co_unit_ids: Array.from({ length: 17 }, (_, i) => i + 1000) }, 422, 'co_unit_ids'],
    [{ co_unit_ids: ['x'] }, 422, 'co_unit_ids'],
    [{ co_unit_ids: [999999] }, 422, 'co_unit_ids'],
    [{ auto: 'yes' }, 422, 'auto'],
    [{}, 409, 'category'], // the same (category, area) again
  ];
  for (const [change, status, field] of bad) {
    const b = await send(admin, 'POST', '/api/v1/case-routes', { ...base, ...change });
    assert.equal(b.status, status, `${JSON.stringify(change)}: ${JSON.stringify(b.body)}`);
    assert.equal(b.body.error.field, field, JSON.stringify(change));
  }
  const missing = await send(admin, 'POST', '/api/v1/case-routes', { category: 'water', area_code: town.areas.gridA });
  assert.equal(missing.status, 422);
  assert.equal(missing.body.error.field, 'lead_unit_id');

  const p = await send(admin, 'PATCH', `/api/v1/case-routes/${r.body.id}`, { lead_unit_id: units.street, co_unit_ids: [units.water, units.commA], auto: false });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.lead_unit.id, units.street);
  assert.deepEqual(p.body.co_units.map((u) => u.id).sort((a, b) => a - b), [units.water, units.commA].sort((a, b) => a - b));
  assert.equal(p.body.auto, false);
  const cleared = await send(admin, 'PATCH', `/api/v1/case-routes/${r.body.id}`, { co_unit_ids: [] });
  assert.deepEqual(cleared.body.co_units, []);
  assert.equal(cleared.body.lead_unit.id, units.street);

  // A second rule; moving it onto the first one's key is a duplicate.
  const other = await send(admin, 'POST', '/api/v1/case-routes', { ...base, category: 'power', co_unit_ids: [] });
  assert.equal(other.status, 201);
  const clash = await send(admin, 'PATCH', `/api/v1/case-routes/${other.body.id}`, { category: 'water' });
  assert.equal(clash.status, 409);

  const audit = await admin.json(`/api/v1/audit?object_type=case_route&object_id=${r.body.id}`);
  assert.deepEqual(audit.body.items.map((e) => e.action).sort(), ['case_route.create', 'case_route.update', 'case_route.update']);

  assert.equal((await send(admin, 'DELETE', `/api/v1/case-routes/${other.body.id}`)).status, 204);
  assert.equal((await send(admin, 'DELETE', `/api/v1/case-routes/${other.body.id}`)).status, 404);
  assert.equal((await send(admin, 'PATCH', `/api/v1/case-routes/${other.body.id}`, { auto: true })).status, 404);
  assert.equal((await send(admin, 'DELETE', '/api/v1/case-routes/abc')).status, 404);
});

test('routing rules stay within the caller\'s scope', async () => {
  const ruleB = await send(admin, 'POST', '/api/v1/case-routes', { category: 'gas', area_code: town.areas.communityB, lead_unit_id: units.commB });
  assert.equal(ruleB.status, 201, JSON.stringify(ruleB.body));
  const ruleA = await send(admin, 'POST', '/api/v1/case-routes', { category: 'gas', area_code: town.areas.gridA, lead_unit_id: units.commA });
  assert.equal(ruleA.status, 201, JSON.stringify(ruleA.body));
  // admin_a's scope is community A: B's rule reads as missing.
  const ids = (await adminA.json('/api/v1/case-routes?category=gas')).body.items.map((x) => x.id);
  assert.deepEqual(ids, [ruleA.body.id]);
  assert.equal((await adminA.json(`/api/v1/case-routes?area=${town.areas.communityB}`)).status, 404);
  assert.equal((await send(adminA, 'PATCH', `/api/v1/case-routes/${ruleB.body.id}`, { auto: false })).status, 404);
  assert.equal((await send(adminA, 'DELETE', `/api/v1/case-routes/${ruleB.body.id}`)).status, 404);
  const outside = await send(adminA, 'POST', '/api/v1/case-routes', { category: 'heating', area_code: town.areas.communityB, lead_unit_id: units.water });
  assert.equal(outside.status, 422);
  assert.equal(outside.body.error.field, 'area_code');
  // A county department may lead a rule of community A; B's committee may not.
  const county = await send(adminA, 'POST', '/api/v1/case-routes', { category: 'heating', area_code: town.areas.gridA, lead_unit_id: units.water });
  assert.equal(county.status, 201, JSON.stringify(county.body));
  const foreign = await send(adminA, 'POST', '/api/v1/case-routes', { category: 'dispute', area_code: town.areas.gridA, lead_unit_id: units.commB });
  assert.equal(foreign.status, 422);
  assert.equal(foreign.body.error.field, 'lead_unit_id');
  // Pages: limit and cursor.
  const all = (await admin.json('/api/v1/case-routes?limit=500')).body.items.map((x) => x.id);
  const first = await admin.json('/api/v1/case-routes?limit=1');
  assert.equal(first.body.items.length, 1);
  const second = await admin.json(`/api/v1/case-routes?limit=1&cursor=${first.body.next_cursor}`);
  assert.deepEqual([first.body.items[0].id, second.body.items[0].id], all.slice(0, 2));
  assert.equal((await admin.json('/api/v1/case-routes?limit=0')).status, 400);
  assert.equal((await admin.json('/api/v1/case-routes?colour=red')).status, 400);
  assert.equal((await staff.json('/api/v1/case-routes')).status, 403);
});

// ---- the working calendar ----

const day = (cal, date) => cal.days.find((d) => d.date === date);

test('the built-in calendar, with a view of National Day 2026', async () => {
  const r = await resident.json('/api/v1/calendar?from=2026-09-30&to=2026-10-10');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.source, 'built-in');
  assert.equal(r.body.version, 0);
  assert.equal(r.body.updated_at, null);
  assert.match(r.body.text, /^# Working calendar/);
  assert.deepEqual(r.body.hours, ['09:00-12:00', '13:30-17:30']);
  assert.ok(r.body.holidays.some((h) => h.from === '2026-10-01' && h.to === '2026-10-07' && h.name === '国庆节'));
  assert.ok(r.body.workdays.some((w) => w.from === '2026-10-10' && w.name.startsWith('国庆节调休')));
  assert.equal(r.body.days.length, 11);
  assert.deepEqual(day(r.body, '2026-09-30'), { date: '2026-09-30', workday: true, name: null });
  assert.deepEqual(day(r.body, '2026-10-01'), { date: '2026-10-01', workday: false, name: '国庆节' });
  assert.equal(day(r.body, '2026-10-04').workday, false); // a Sunday inside the holiday
  assert.equal(day(r.body, '2026-10-08').workday, true);
  assert.equal(day(r.body, '2026-10-10').workday, true); // 调休 Saturday
  assert.equal((await resident.json('/api/v1/calendar')).body.days, undefined);
  const year = await resident.json('/api/v1/calendar?from=2026-01-01&to=2027-01-01');
  assert.equal(year.body.days.length, 366);
});

// query -> field of the 400
const viewRows = [
  ['from=2026-01-01', 'to'],
  ['to=2026-01-01', 'from'],
  ['from=2026-02-30&to=2026-03-01', 'from'],
  ['from=2026-1-1&to=2026-03-01', 'from'],
  ['from=2026-03-01&to=2026-02-01', 'to'],
  ['from=2026-01-01&to=2027-01-02', 'to'], // 367 days: 366 is the most
];
for (const [query, field] of viewRows) {
  test(`GET /calendar?${query} -> 400 ${field}`, async () => {
    const r = await staff.json(`/api/v1/calendar?${query}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'invalid_parameter');
    assert.equal(r.body.error.field, field);
  });
}

test('a bad calendar file is refused with its line number; an edit changes working days', async () => {
  const bad = await send(admin, 'PUT', '/api/v1/calendar', { text: 'hours = 09:00-12:00\n# fine\nholiday = 2026-13-01  nonsense\n' });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.code, 'invalid_value');
  assert.equal(bad.body.error.field, 'text');
  assert.match(bad.body.error.message, /^line 3: '2026-13-01' is not a date/);
  const noHours = await send(admin, 'PUT', '/api/v1/calendar', { text: 'holiday = 2026-10-12\n' });
  assert.equal(noHours.status, 422);
  assert.match(noHours.body.error.message, /no 'hours' line/);
  assert.equal((await send(admin, 'PUT', '/api/v1/calendar', { text: '' })).status, 422);
  assert.equal((await send(staff, 'PUT', '/api/v1/calendar', { text: 'hours = 09:00-17:00' })).status, 403);
  assert.equal((await send(admin, 'PUT', '/api/v1/calendar', { text: 'hours = 09:00-17:00', version: 3 })).status, 409);

  // The edit: 10-10 is no longer worked, and 10-12 becomes a holiday.
  const builtIn = (await admin.json('/api/v1/calendar')).body.text;
  const text = `${builtIn.replace(/^workday = 2026-10-10.*$/m, '')}holiday = 2026-10-12  地方假日\n`;
  const put = await send(admin, 'PUT', '/api/v1/calendar', { text, version: 0 });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(put.body.version, 1);
  assert.equal(put.body.source, 'edited');
  assert.equal(put.body.updated_by, 'admin');
  assert.ok(put.body.holidays.some((h) => h.from === '2026-10-12' && h.name === '地方假日'));
  const view = await staff.json('/api/v1/calendar?from=2026-10-09&to=2026-10-13');
  assert.equal(view.body.version, 1);
  assert.equal(view.body.text, text);
  assert.deepEqual(view.body.days.map((d) => d.workday), [true, false, false, false, true]);
  assert.equal(day(view.body, '2026-10-12').name, '地方假日');
  // The same edit against the old version is stale now.
  const stale = await send(admin, 'PUT', '/api/v1/calendar', { text, version: 0 });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.field, 'version');
  // Back to the shipped file.
  const back = await send(admin, 'PUT', '/api/v1/calendar', { text: builtIn });
  assert.equal(back.status, 200);
  assert.equal(back.body.version, 2);
  assert.equal(day((await staff.json('/api/v1/calendar?from=2026-10-10&to=2026-10-10')).body, '2026-10-10').workday, true);
  const audit = await admin.json('/api/v1/audit?action=calendar.replace');
  assert.equal(audit.body.items.length, 2);
});
