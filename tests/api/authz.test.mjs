// The authorization matrix: every route x every role x (in scope, out of
// scope), over HTTP. The expectations below are this test's own; a route the
// binary serves that has no row here fails the test, as does a row for a
// route that no longer exists.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, run } from '../lib/server.mjs';
import { seedIdentity, login, roles, PASSWORD } from '../lib/fixtures.mjs';

const ALL = roles;
const STAFF_LIKE = ['admin', 'commander', 'staff'];
const allow = {
  public: ALL,
  'public.self_checked': ALL, // public; the handler knows its caller by other means (not counted by the anonymous write limit)
  session: ALL,
  'areas.read': ALL.filter((r) => r !== 'resident'),
  'areas.manage': STAFF_LIKE,
  'users.read': STAFF_LIKE,
  'users.manage': STAFF_LIKE,
  'units.read': [...STAFF_LIKE, 'grid_worker', 'handler'],
  'units.manage': STAFF_LIKE,
  'audit.read': ['admin', 'commander'],
  'register.read': [...STAFF_LIKE, 'grid_worker'],
  'register.write': ['admin', 'staff', 'grid_worker'],
  'tags.manage': ['admin'],
  'cases.read': [...STAFF_LIKE, 'grid_worker', 'handler', 'resident'],
  'cases.submit': [...STAFF_LIKE, 'grid_worker', 'resident'],
  'cases.act': [...STAFF_LIKE, 'grid_worker', 'handler', 'resident'],
  'cases.reveal': [...STAFF_LIKE, 'grid_worker', 'handler'],
  'cases.stats': STAFF_LIKE,
  'cases.configure': ['admin'],
  'webhooks.manage': ['admin'],
};

let srv, town, seq = 0;
const uniq = (p) => `${p}${process.pid % 1000}${++seq}`;

// Objects made fresh by the admin for one request: [in grid A, in grid B].
async function freshUser(area) {
  const r = await town.admin.json('/api/v1/users', { method: 'POST', body: JSON.stringify({ login: uniq('u'), display_name: '居民', role: 'resident', area_code: area, password: PASSWORD }) });
  assert.equal(r.status, 201);
  return r.body.id;
}
async function freshUnit(area) {
  const r = await town.admin.json('/api/v1/units', { method: 'POST', body: JSON.stringify({ name: uniq('单位'), type: 'unit', area_code: area }) });
  assert.equal(r.status, 201);
  return r.body.id;
}
async function freshBuilding(parent) {
  const code = uniq('b-');
  const r = await town.admin.json('/api/v1/areas', { method: 'POST', body: JSON.stringify({ code, name: `楼${code}`, level: 'building', parent_code: parent }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return code;
}

async function freshHousehold(area) {
  const r = await town.admin.json('/api/v1/households', { method: 'POST', body: JSON.stringify({ area_code: area, address: uniq('幸福路') }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}
async function freshPerson(area) {
  const r = await town.admin.json('/api/v1/persons', { method: 'POST', body: JSON.stringify({ name: uniq('张'), area_code: area }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

// A case the role has a part in (A side) or one in grid B: anonymous
// intake, then what makes the role a party: the resident and grid worker
// report it themselves, the handler's department gets it dispatched.
let handlerUnit;
async function freshCase(area, role) {
  const body = { category: 'help', area_code: area, description: uniq('矩阵诉求'), reporter_phone: '13912345678' };
  if (area === A() && (role === 'resident' || role === 'grid_worker')) {
    const r = await (await clientFor(role)).json('/api/v1/cases', { method: 'POST', body: JSON.stringify(body) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return { id: r.body.id, version: 1, code: r.body.follow_code };
  }
  const res = await fetch(`${srv.url}/api/v1/public/cases`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const made = await res.json();
  assert.equal(res.status, 201, JSON.stringify(made));
  if (area === A() && role === 'handler') {
    const d = await town.admin.json(`/api/v1/cases/${made.id}/actions`, { method: 'POST', body: JSON.stringify({ action: 'dispatch', version: 1, lead_department: handlerUnit }) });
    assert.equal(d.status, 200, JSON.stringify(d.body));
    return { id: made.id, version: 2, code: made.follow_code };
  }
  return { id: made.id, version: 1, code: made.follow_code };
}
const caseRequest = (area) => JSON.stringify({ category: 'help', area_code: area, description: '矩阵提交' });

// A routing rule of a fresh building, led by a fresh unit of the same area.
async function freshRoute(area) {
  const r = await town.admin.json('/api/v1/case-routes', { method: 'POST', body: JSON.stringify({ category: 'inquiry', area_code: await freshBuilding(area), lead_unit_id: await freshUnit(area) }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

// A JPEG unique to each call (a comment segment), so every upload is new: 201.
function freshJpeg() {
  const note = Buffer.from(uniq('photo-'));
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0, note.length + 2]), note,
    Buffer.from([0xff, 0xc0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0])]);
}
async function freshPhoto() {
  const r = await fetch(`${srv.url}/api/v1/photos`, { method: 'POST', body: freshJpeg() });
  assert.equal(r.status, 201);
  return (await r.json()).sha256;
}

// An Open311 api_key: a token of staff in community A.
let o311Key;
const open311Key = () => (o311Key ??= run(['token', 'create', '--db', srv.db.url, '--name', 'matrix-open311', '--role', 'staff', '--area', town.areas.communityA]).stdout.trim());

const A = () => town.areas.gridA;
const B = () => town.areas.gridB;
const noB = (body) => !JSON.stringify(body).includes(town.areas.gridB) && !JSON.stringify(body).includes(town.areas.communityB);

// route -> how to call it in scope and out of scope, and what success is.
// in/out: async (role) => [path, init]; ok: the status when allowed in scope
// (or (role) => status where a party's part decides);
// outStatus: the status when allowed but out of scope (null: same as ok,
// with check() proving nothing of B came back).
const matrix = {
  'GET /healthz': { in: () => ['/healthz'], ok: 200 },
  'GET /readyz': { in: () => ['/readyz'], ok: 200 },
  'GET /metrics': { in: () => ['/metrics'], ok: 200 },
  'POST /api/v1/client-errors': { in: () => ['/api/v1/client-errors', { method: 'POST', body: '{"message":"matrix"}' }], ok: 204 },
  'POST /api/v1/session': { in: (role) => ['/api/v1/session', { method: 'POST', body: JSON.stringify({ login: sideA(role), password: PASSWORD }) }], ok: 200 },
  'GET /api/v1/session': { in: () => ['/api/v1/session'], ok: 200 },
  'DELETE /api/v1/session': { in: () => ['/api/v1/session', { method: 'DELETE' }], ok: 204, ownSession: true },
  'GET /api/v1/users': { in: () => [`/api/v1/users?area=${A()}`], out: () => [`/api/v1/users?area=${B()}`], ok: 200, outStatus: 404 },
  'GET /api/v1/users/{id}': { in: async () => [`/api/v1/users/${await freshUser(A())}`], out: async () => [`/api/v1/users/${await freshUser(B())}`], ok: 200, outStatus: 404 },
  'POST /api/v1/users': {
    in: () => ['/api/v1/users', { method: 'POST', body: JSON.stringify({ login: uniq('n'), display_name: '新居民', role: 'resident', area_code: A(), password: PASSWORD }) }],
    out: () => ['/api/v1/users', { method: 'POST', body: JSON.stringify({ login: uniq('n'), display_name: '新居民', role: 'resident', area_code: B(), password: PASSWORD }) }],
    ok: 201, outStatus: 422,
  },
  'PATCH /api/v1/users/{id}': {
    in: async () => [`/api/v1/users/${await freshUser(A())}`, { method: 'PATCH', body: '{"display_name":"改名"}' }],
    out: async () => [`/api/v1/users/${await freshUser(B())}`, { method: 'PATCH', body: '{"display_name":"改名"}' }],
    ok: 200, outStatus: 404,
  },
  'GET /api/v1/units': { in: () => [`/api/v1/units?area=${A()}`], out: () => [`/api/v1/units?area=${B()}`], ok: 200, outStatus: 404 },
  'GET /api/v1/units/{id}': { in: async () => [`/api/v1/units/${await freshUnit(A())}`], out: async () => [`/api/v1/units/${await freshUnit(B())}`], ok: 200, outStatus: 404 },
  'POST /api/v1/units': {
    in: () => ['/api/v1/units', { method: 'POST', body: JSON.stringify({ name: uniq('单位'), type: 'unit', area_code: A() }) }],
    out: () => ['/api/v1/units', { method: 'POST', body: JSON.stringify({ name: uniq('单位'), type: 'unit', area_code: B() }) }],
    ok: 201, outStatus: 422,
  },
  'PATCH /api/v1/units/{id}': {
    in: async () => [`/api/v1/units/${await freshUnit(A())}`, { method: 'PATCH', body: `{"name":"${uniq('改')}"}` }],
    out: async () => [`/api/v1/units/${await freshUnit(B())}`, { method: 'PATCH', body: `{"name":"${uniq('改')}"}` }],
    ok: 200, outStatus: 404,
  },
  'GET /api/v1/audit': { in: () => ['/api/v1/audit?limit=500'], ok: 200, outStatus: null, check: noB },
  'GET /api/v1/areas': { in: () => [`/api/v1/areas?parent=${A()}`], out: () => [`/api/v1/areas?parent=${B()}`], ok: 200, outStatus: 404 },
  'GET /api/v1/areas/{code}': { in: () => [`/api/v1/areas/${A()}`], out: () => [`/api/v1/areas/${B()}`], ok: 200, outStatus: 404 },
  'POST /api/v1/areas': {
    in: () => ['/api/v1/areas', { method: 'POST', body: JSON.stringify({ code: uniq('c-'), name: '新楼', level: 'building', parent_code: A() }) }],
    out: () => ['/api/v1/areas', { method: 'POST', body: JSON.stringify({ code: uniq('c-'), name: '新楼', level: 'building', parent_code: B() }) }],
    ok: 201, outStatus: 422,
  },
  'PATCH /api/v1/areas/{code}': {
    in: async () => [`/api/v1/areas/${await freshBuilding(A())}`, { method: 'PATCH', body: '{"name":"改名楼"}' }],
    out: async () => [`/api/v1/areas/${await freshBuilding(B())}`, { method: 'PATCH', body: '{"name":"改名楼"}' }],
    ok: 200, outStatus: 404,
  },
  'POST /api/v1/areas/{code}/move': {
    in: async () => [`/api/v1/areas/${await freshBuilding(A())}/move`, { method: 'POST', body: JSON.stringify({ parent_code: A() }) }],
    out: async () => [`/api/v1/areas/${await freshBuilding(B())}/move`, { method: 'POST', body: JSON.stringify({ parent_code: A() }) }],
    ok: 200, outStatus: 404,
  },
  'GET /api/v1/persons': { in: () => [`/api/v1/persons?area=${A()}`], out: () => [`/api/v1/persons?area=${B()}`], ok: 200, outStatus: 404 },
  'GET /api/v1/persons/{id}': { in: async () => [`/api/v1/persons/${await freshPerson(A())}`], out: async () => [`/api/v1/persons/${await freshPerson(B())}`], ok: 200, outStatus: 404 },
  'POST /api/v1/persons': {
    in: () => ['/api/v1/persons', { method: 'POST', body: JSON.stringify({ name: '王五', area_code: A() }) }],
    out: () => ['/api/v1/persons', { method: 'POST', body: JSON.stringify({ name: '王五', area_code: B() }) }],
    ok: 201, outStatus: 422,
  },
  'PATCH /api/v1/persons/{id}': {
    in: async () => [`/api/v1/persons/${await freshPerson(A())}`, { method: 'PATCH', body: '{"name":"改名","version":1}' }],
    out: async () => [`/api/v1/persons/${await freshPerson(B())}`, { method: 'PATCH', body: '{"name":"改名","version":1}' }],
    ok: 200, outStatus: 404,
  },
  'POST /api/v1/persons/{id}/status': {
    in: async () => [`/api/v1/persons/${await freshPerson(A())}/status`, { method: 'POST', body: '{"status":"moved_out"}' }],
    out: async () => [`/api/v1/persons/${await freshPerson(B())}/status`, { method: 'POST', body: '{"status":"moved_out"}' }],
    ok: 200, outStatus: 404,
  },
  'GET /api/v1/households': { in: () => [`/api/v1/households?area=${A()}`], out: () => [`/api/v1/households?area=${B()}`], ok: 200, outStatus: 404 },
  'GET /api/v1/households/{id}': { in: async () => [`/api/v1/households/${await freshHousehold(A())}`], out: async () => [`/api/v1/households/${await freshHousehold(B())}`], ok: 200, outStatus: 404 },
  'POST /api/v1/households': {
    in: () => ['/api/v1/households', { method: 'POST', body: JSON.stringify({ area_code: A(), address: '幸福路1号' }) }],
    out: () => ['/api/v1/households', { method: 'POST', body: JSON.stringify({ area_code: B(), address: '幸福路1号' }) }],
    ok: 201, outStatus: 422,
  },
  'PATCH /api/v1/households/{id}': {
    in: async () => [`/api/v1/households/${await freshHousehold(A())}`, { method: 'PATCH', body: '{"address":"新地址","version":1}' }],
    out: async () => [`/api/v1/households/${await freshHousehold(B())}`, { method: 'PATCH', body: '{"address":"新地址","version":1}' }],
    ok: 200, outStatus: 404,
  },
  'GET /api/v1/tags': { in: () => ['/api/v1/tags'], ok: 200 },
  // Tags are configuration, not data of an area: no scope to be out of.
  'POST /api/v1/tags': { in: () => ['/api/v1/tags', { method: 'POST', body: JSON.stringify({ code: uniq('t_'), name_zh: '新标签', name_en: 'New tag', applies_to: 'person' }) }], ok: 201 },
  'PATCH /api/v1/tags/{code}': { in: () => ['/api/v1/tags/volunteer', { method: 'PATCH', body: JSON.stringify({ name_zh: '志愿者' }) }], ok: 200 },
  'GET /api/v1/units/{id}/members': { in: async () => [`/api/v1/units/${await freshUnit(A())}/members`], out: async () => [`/api/v1/units/${await freshUnit(B())}/members`], ok: 200, outStatus: 404 },
  'POST /api/v1/units/{id}/members': {
    in: async () => [`/api/v1/units/${await freshUnit(A())}/members`, { method: 'POST', body: JSON.stringify({ person_id: await freshPerson(A()), position: '站长' }) }],
    out: async () => [`/api/v1/units/${await freshUnit(B())}/members`, { method: 'POST', body: JSON.stringify({ person_id: await freshPerson(A()) }) }],
    ok: 201, outStatus: 404,
  },
  'DELETE /api/v1/units/{id}/members/{person_id}': {
    in: async () => {
      const unit = await freshUnit(A()), person = await freshPerson(A());
      await town.admin.json(`/api/v1/units/${unit}/members`, { method: 'POST', body: JSON.stringify({ person_id: person }) });
      return [`/api/v1/units/${unit}/members/${person}`, { method: 'DELETE' }];
    },
    out: async () => [`/api/v1/units/${await freshUnit(B())}/members/${await freshPerson(B())}`, { method: 'DELETE' }],
    ok: 204, outStatus: 404,
  },
  'GET /api/v1/households/export': { in: () => [`/api/v1/households/export?format=xlsx&area=${A()}`], out: () => [`/api/v1/households/export?format=csv&area=${B()}`], ok: 200, outStatus: 404 },
  'GET /api/v1/persons/export': { in: () => [`/api/v1/persons/export?format=csv&area=${A()}`], out: () => [`/api/v1/persons/export?format=csv&area=${B()}`], ok: 200, outStatus: 404 },
  'POST /api/v1/imports': {
    in: () => [`/api/v1/imports?dry_run=true&area=${A()}`, { method: 'POST', body: '姓名,住址\n张三,东风路1号\n', headers: { 'Content-Type': 'text/csv' } }],
    out: () => [`/api/v1/imports?dry_run=true&area=${B()}`, { method: 'POST', body: '姓名,住址\n张三,东风路1号\n', headers: { 'Content-Type': 'text/csv' } }],
    ok: 200, outStatus: 200, check: (b) => b.error_count === 1 && b.valid === 0,
  },
  'GET /api/v1/stats/register': { in: () => [`/api/v1/stats/register?area=${A()}`], out: () => [`/api/v1/stats/register?area=${B()}`], ok: 200, outStatus: 404 },
  'GET /api/v1/cases': { in: () => [`/api/v1/cases?area=${A()}`], out: () => [`/api/v1/cases?area=${B()}`], ok: 200, outStatus: 404 },
  'GET /api/v1/cases/inboxes': { in: () => ['/api/v1/cases/inboxes'], ok: 200 },
  'GET /api/v1/cases/{id}': { in: async (role) => [`/api/v1/cases/${(await freshCase(A(), role)).id}`], out: async (role) => [`/api/v1/cases/${(await freshCase(B(), role)).id}`], ok: 200, outStatus: 404 },
  // A resident may report about any place: out of scope for them is a place that does not exist.
  'POST /api/v1/cases': {
    in: () => ['/api/v1/cases', { method: 'POST', body: caseRequest(A()) }],
    out: (role) => ['/api/v1/cases', { method: 'POST', body: caseRequest(role === 'resident' ? 'no-such-area' : B()) }],
    ok: 201, outStatus: 422,
  },
  'POST /api/v1/cases/{id}/actions': {
    in: async (role) => { const c = await freshCase(A(), role); return [`/api/v1/cases/${c.id}/actions`, { method: 'POST', body: JSON.stringify({ action: 'comment', version: c.version, text: '矩阵' }) }]; },
    out: async (role) => { const c = await freshCase(B(), role); return [`/api/v1/cases/${c.id}/actions`, { method: 'POST', body: JSON.stringify({ action: 'comment', version: c.version, text: '矩阵' }) }]; },
    ok: 200, outStatus: 404,
  },
  // Only a dispatcher (staff-like in scope) is offered duplicates; the
  // other parties of a case they may read are refused.
  'GET /api/v1/cases/{id}/duplicates': { in: async (role) => [`/api/v1/cases/${(await freshCase(A(), role)).id}/duplicates`], out: async (role) => [`/api/v1/cases/${(await freshCase(B(), role)).id}/duplicates`], ok: (role) => (STAFF_LIKE.includes(role) ? 200 : 403), outStatus: 404 },
  'GET /api/v1/cases/{id}/departments': { in: async (role) => [`/api/v1/cases/${(await freshCase(A(), role)).id}/departments`], out: async (role) => [`/api/v1/cases/${(await freshCase(B(), role)).id}/departments`], ok: 200, outStatus: 404 },
  'POST /api/v1/public/cases': { in: () => ['/api/v1/public/cases', { method: 'POST', body: JSON.stringify({ category: 'help', area_code: A(), description: '公开提交', reporter_phone: '13912345678' }) }], ok: 201 },
  'GET /api/v1/public/cases/{code}': { in: async () => [`/api/v1/public/cases/${(await freshCase(A(), 'anonymous')).code}`], ok: 200 },
  'POST /api/v1/public/cases/{code}/actions': {
    in: async () => [`/api/v1/public/cases/${(await freshCase(A(), 'anonymous')).code}/actions`, { method: 'POST', body: JSON.stringify({ action: 'comment', version: 1, text: '补充说明' }) }],
    ok: 200,
  },
  'GET /api/v1/public/areas/{code}': { in: () => [`/api/v1/public/areas/${A()}`], ok: 200 },
  // The webhook is one setting of the whole system: no scope to be out of.
  // A fresh test event is pending, so its retry is refused (409) once
  // authorization has passed.
  'GET /api/v1/webhook/deliveries': { in: () => ['/api/v1/webhook/deliveries'], ok: 200 },
  'GET /api/v1/webhook/outbox': { in: () => ['/api/v1/webhook/outbox'], ok: 200 },
  'POST /api/v1/webhook/test': { in: () => ['/api/v1/webhook/test', { method: 'POST' }], ok: 202 },
  'POST /api/v1/webhook/outbox/{id}/retry': {
    in: async () => [`/api/v1/webhook/outbox/${(await town.admin.json('/api/v1/webhook/test', { method: 'POST' })).body.id}/retry`, { method: 'POST' }],
    ok: 409,
  },
  'GET /api/v1/case-categories': { in: () => ['/api/v1/case-categories'], ok: 200 },
  'GET /api/v1/public/case-categories': { in: () => ['/api/v1/public/case-categories'], ok: 200 },
  // Categories and the calendar are configuration, not data of an area: no scope to be out of.
  'POST /api/v1/case-categories': { in: () => ['/api/v1/case-categories', { method: 'POST', body: JSON.stringify({ code: uniq('c_'), name_zh: '新类别', name_en: 'New category' }) }], ok: 201 },
  'PATCH /api/v1/case-categories/{code}': { in: () => ['/api/v1/case-categories/inquiry', { method: 'PATCH', body: JSON.stringify({ name_zh: '咨询' }) }], ok: 200 },
  'GET /api/v1/case-routes': { in: () => [`/api/v1/case-routes?area=${A()}`], out: () => [`/api/v1/case-routes?area=${B()}`], ok: 200, outStatus: 404 },
  'POST /api/v1/case-routes': {
    in: async () => ['/api/v1/case-routes', { method: 'POST', body: JSON.stringify({ category: 'inquiry', area_code: await freshBuilding(A()), lead_unit_id: await freshUnit(A()) }) }],
    out: async () => ['/api/v1/case-routes', { method: 'POST', body: JSON.stringify({ category: 'inquiry', area_code: await freshBuilding(B()), lead_unit_id: await freshUnit(B()) }) }],
    ok: 201, outStatus: 422,
  },
  'PATCH /api/v1/case-routes/{id}': {
    in: async () => [`/api/v1/case-routes/${await freshRoute(A())}`, { method: 'PATCH', body: '{"auto":false}' }],
    out: async () => [`/api/v1/case-routes/${await freshRoute(B())}`, { method: 'PATCH', body: '{"auto":false}' }],
    ok: 200, outStatus: 404,
  },
  'DELETE /api/v1/case-routes/{id}': {
    in: async () => [`/api/v1/case-routes/${await freshRoute(A())}`, { method: 'DELETE' }],
    out: async () => [`/api/v1/case-routes/${await freshRoute(B())}`, { method: 'DELETE' }],
    ok: 204, outStatus: 404,
  },
  'GET /api/v1/calendar': { in: () => ['/api/v1/calendar?from=2026-10-01&to=2026-10-07'], ok: 200 },
  'PUT /api/v1/calendar': { in: () => ['/api/v1/calendar', { method: 'PUT', body: JSON.stringify({ text: 'hours = 09:00-12:00, 13:30-17:30\n' }) }], ok: 200 },
  'GET /api/v1/stats/cases': { in: () => [`/api/v1/stats/cases?area=${A()}`], out: () => [`/api/v1/stats/cases?area=${B()}`], ok: 200, outStatus: 404 },
  'POST /api/v1/photos': {
    in: () => ['/api/v1/photos', { method: 'POST', body: freshJpeg(), headers: { 'Content-Type': 'image/jpeg' } }],
    ok: 201,
  },
  'GET /api/v1/photos/{sha256}': { in: async () => [`/api/v1/photos/${await freshPhoto()}`], ok: 200 },
  'GET /open311/v2/{document}': { in: () => [`/open311/v2/requests.json?api_key=${open311Key()}`], ok: 200 },
  'POST /open311/v2/{document}': {
    in: () => ['/open311/v2/requests.json', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: open311Key(), service_code: 'help', address_string: '东风路1号', description: '矩阵提交' }).toString() }],
    ok: 201,
  },
  'GET /open311/v2/services/{service}': { in: () => ['/open311/v2/services/help.json'], ok: 200 },
  'GET /open311/v2/requests/{request}': { in: async () => [`/open311/v2/requests/${(await freshCase(A(), 'anonymous')).id}.json?api_key=${open311Key()}`], ok: 200 },
  'GET /open311/v2/tokens/{token}': { in: async () => [`/open311/v2/tokens/${(await freshCase(A(), 'anonymous')).code}.json`], ok: 200 },
  'DELETE /api/v1/areas/{code}': {
    in: async () => [`/api/v1/areas/${await freshBuilding(A())}`, { method: 'DELETE' }],
    out: async () => [`/api/v1/areas/${await freshBuilding(B())}`, { method: 'DELETE' }],
    ok: 204, outStatus: 404,
  },
};

const routes = JSON.parse(run(['routes']).stdout);

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  // The handler works for a department of community A.
  handlerUnit = await freshUnit(town.areas.communityA);
  const r = await town.admin.json(`/api/v1/users/${town.users.handler.id}`, { method: 'PATCH', body: JSON.stringify({ unit_id: handlerUnit }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
});
after(async () => { await srv.stop(); });

test('every route has a row in the matrix, and every row a route', () => {
  const served = routes.map((r) => `${r.method} ${r.pattern}`);
  for (const key of served) assert.ok(matrix[key], `route ${key} has no row in the authorization matrix`);
  for (const key of Object.keys(matrix)) assert.ok(served.includes(key), `matrix row ${key} names no route`);
});

test('every route declares a known permission, granted as this test expects', () => {
  for (const r of routes) {
    assert.ok(r.known, `${r.method} ${r.pattern}: unknown permission ${r.permission}`);
    assert.ok(allow[r.permission], `${r.permission} has no expectation here`);
    assert.deepEqual([...r.roles].sort(), [...allow[r.permission]].sort(), `${r.method} ${r.pattern} (${r.permission})`);
  }
});

for (const r of routes) {
  const key = `${r.method} ${r.pattern}`;
  test(`matrix: ${key}`, async () => {
    const row = matrix[key];
    assert.ok(row, `no row for ${key}`);
    const isPublic = r.permission === 'public' || r.permission === 'public.self_checked';
    // Without credentials: 401 unless public.
    if (!isPublic) {
      const [path, init = {}] = await row.in('admin');
      const res = await fetch(srv.url + path, { ...init, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 401, `${key} anonymous`);
    }
    for (const role of roles) {
      const allowed = allow[r.permission].includes(role);
      for (const side of ['in', 'out']) {
        if (side === 'out' && !row.out && row.outStatus !== null) continue;
        const client = row.ownSession ? await login(srv, sideA(role), PASSWORD) : await clientFor(role);
        const build = side === 'out' && row.out ? row.out : row.in;
        const [path, init = {}] = await build(role);
        const res = await client.json(path, init);
        const where = `${key} as ${role} (${side} of scope): ${JSON.stringify(res.body)?.slice(0, 200)}`;
        if (!allowed) {
          assert.equal(res.status, 403, where);
          assert.equal(res.body.error.code, 'forbidden', where);
        } else if (side === 'in') {
          assert.equal(res.status, typeof row.ok === 'function' ? row.ok(role) : row.ok, where);
        } else if (row.outStatus === null || row.check) {
          assert.equal(res.status, row.outStatus ?? row.ok, where);
          assert.ok(row.check(res.body), `${where}: something of grid B came back`);
        } else {
          assert.equal(res.status, row.outStatus, where);
          if (row.outStatus === 404) assert.equal(res.body.error.code, 'not_found', where);
          assert.ok(noB(res.body), `${where}: names something of grid B`);
        }
      }
    }
  });
}

const clients = {};
// Each role acts through a user of the A side, whose scope excludes grid B.
const sideA = (role) => (role === 'admin' || role === 'commander' ? `${role}_a` : role);
async function clientFor(role) {
  if (!clients[role]) clients[role] = await login(srv, sideA(role), PASSWORD);
  return clients[role];
}

test('a grid worker of grid A learns nothing of grid B: out of scope reads as missing', async () => {
  const gw = await clientFor('grid_worker');
  const missing = await gw.json('/api/v1/areas/no-such-area');
  const other = await gw.json(`/api/v1/areas/${town.areas.gridB}`);
  assert.equal(missing.status, 404);
  assert.deepEqual(other, { ...missing, headers: other.headers });
  const unitB = await freshUnit(town.areas.gridB);
  const u1 = await gw.json(`/api/v1/units/${unitB}`);
  const u2 = await gw.json('/api/v1/units/999999999');
  assert.equal(u1.status, 404);
  assert.deepEqual(u1.body, u2.body);
  const list = await gw.json(`/api/v1/units?area=${town.areas.gridA}`);
  assert.ok(noB(list.body));
});
