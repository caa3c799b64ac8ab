// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) with
// mySociety's servicerequestupdates, as a conforming client sees it:
// discovery, services and their definitions, requests posted as forms and
// read back with the specification's filters and defaults, tokens, updates,
// errors as the specification's list, both formats, and the API key's scope.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, run, runSql } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD, areas } from '../lib/fixtures.mjs';

let srv, town, staff, handler, unitId;
const keys = {};

// Runs SQL on the server's database: the category editor is not ours to use.
const sql = (text) => runSql(srv.db, text);

function token(name, role, area) {
  const r = run(['token', 'create', '--db', srv.db.url, '--name', name, '--role', role, '--area', area]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// One Open311 call: {status, type, text, body (parsed JSON or null)}.
async function o311(path, { method = 'GET', form, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (form !== undefined) {
    init.body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
    init.headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  }
  const res = await fetch(srv.url + path, init);
  const text = await res.text();
  const type = res.headers.get('content-type') || '';
  let body = null;
  if (type.startsWith('application/json')) body = JSON.parse(text);
  return { status: res.status, type, text, body, headers: res.headers };
}

// Well-formed XML, by xmllint when it is there, else by balancing tags.
function assertWellFormed(xml) {
  assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>\n/);
  const r = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
  if (!r.error) { assert.equal(r.status, 0, `${r.stderr}\n${xml}`); return; }
  const stack = [];
  for (const [, close, name, self] of xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>/g)) {
    if (self) continue;
    if (close) assert.equal(stack.pop(), name, xml); else stack.push(name);
  }
  assert.deepEqual(stack, [], xml);
  assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(xml), 'a bare ampersand');
}
// The text of every <name> element.
const xmlValues = (xml, name) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);

function assertError(r, status) {
  assert.equal(r.status, status, r.text);
  if (r.type.startsWith('application/json')) {
    assert.ok(Array.isArray(r.body) && r.body.length === 1, r.text);
    assert.equal(r.body[0].code, status);
    assert.equal(typeof r.body[0].description, 'string');
    assert.ok(!('error' in r.body[0]), 'never the wangge envelope');
  } else {
    assert.match(r.type, /^text\/xml/);
    assertWellFormed(r.text);
    assert.match(r.text, new RegExp(`<errors><error><code>${status}</code><description>[^<]+</description></error></errors>`));
  }
}

const waterFields = [
  { code: 'floor', name_zh: '楼层', name_en: 'Floor', type: 'number', required: true },
  { code: 'kind', name_zh: '问题类型', name_en: 'Kind', type: 'singlevaluelist', required: false,
    values: [{ key: 'no_water', name: '停水' }, { key: 'low_pressure', name: '水压低' }] },
];

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  staff = await town.login('staff');
  sql(`UPDATE case_categories SET fields = '${JSON.stringify(waterFields)}' WHERE code = 'water'`);
  keys.a = token('o311-a', 'staff', areas.communityA);
  keys.b = token('o311-b', 'staff', areas.communityB);
  keys.gridA = token('o311-grid', 'grid_worker', areas.gridA);
  keys.handler = token('o311-handler', 'handler', areas.communityA);
  keys.a2 = token('o311-a2', 'staff', areas.communityA);
  const u = await town.admin.json('/api/v1/units', { method: 'POST', body: JSON.stringify({ name: '自来水公司', type: 'department', area_code: areas.town }) });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  unitId = u.body.id;
  const h = await town.admin.json('/api/v1/users', { method: 'POST', body: JSON.stringify({ login: 'o311_water', display_name: '水务', role: 'handler', area_code: areas.town, unit_id: unitId, password: PASSWORD }) });
  assert.equal(h.status, 201, JSON.stringify(h.body));
  handler = await login(srv, 'o311_water', PASSWORD);
});
after(async () => { if (process.env.SHOW_STDERR) console.log(srv.stderr()); await srv.stop(); });

// A form for water; a member set to undefined is left out.
const waterRequest = (extra = {}) => Object.fromEntries(Object.entries({
  api_key: keys.a, service_code: 'water', lat: '34.265', long: '108.953', address_string: '东风小区3号楼',
  description: '3号楼停水两天了', 'attribute[floor]': '3', 'attribute[kind]': 'no_water', ...extra,
}).filter(([, v]) => v !== undefined));
// Requests made by one test and read by the next.
const made = {};
async function submit(extra = {}, fmt = 'json') {
  const r = await o311(`/open311/v2/requests.${fmt}`, { method: 'POST', form: waterRequest(extra) });
  assert.equal(r.status, 201, r.text);
  return r;
}

test('discovery names this endpoint, in JSON and XML', async () => {
  const j = await o311('/open311/v2/discovery.json');
  assert.equal(j.status, 200);
  assert.match(j.type, /^application\/json/);
  const ep = j.body.endpoints[0];
  assert.equal(ep.specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.equal(ep.url, `${srv.url}/open311/v2/`);
  assert.equal(ep.type, 'production');
  assert.deepEqual(ep.formats, ['text/xml', 'application/json']);
  for (const k of ['changeset', 'contact', 'key_service']) assert.equal(typeof j.body[k], 'string');
  const x = await o311('/open311/v2/discovery.xml');
  assert.equal(x.status, 200);
  assert.match(x.type, /^text\/xml; charset=utf-8/);
  assertWellFormed(x.text);
  assert.deepEqual(xmlValues(x.text, 'format'), ['text/xml', 'application/json']);
  assert.deepEqual(xmlValues(x.text, 'url'), [`${srv.url}/open311/v2/`]);
});

const unknown = [
  ['/open311/v2/discovery.csv', 404, 'xml'],
  ['/open311/v2/discovery', 404, 'xml'],
  ['/open311/v2/nothing.json', 404, 'json'],
  ['/open311/v2/nothing.xml', 404, 'xml'],
  ['/open311/v2/services/no_such.json', 404, 'json'],
  ['/open311/v2/services/water.yaml', 404, 'xml'],
  ['/open311/v2/tokens/no-such-token-here-at-all.json', 404, 'json'],
];
for (const [path, status] of unknown) {
  test(`GET ${path} is ${status} in Open311's error format`, async () => assertError(await o311(path), status));
}

test('services: every active category, names by locale, group by parent, metadata when it asks questions', async () => {
  const r = await o311('/open311/v2/services.json');
  assert.equal(r.status, 200);
  const water = r.body.find((s) => s.service_code === 'water');
  assert.deepEqual(water, { service_code: 'water', service_name: '供水', description: '', metadata: true, type: 'realtime', keywords: 'Water supply', group: '民生服务' });
  assert.equal(r.body.find((s) => s.service_code === 'help').metadata, false);
  assert.equal(r.body.find((s) => s.service_code === 'livelihood').group, '民生服务');
  const en = await o311('/open311/v2/services.json?locale=en&jurisdiction_id=anything');
  assert.equal(en.body.find((s) => s.service_code === 'water').service_name, 'Water supply');
  assert.equal(en.body.find((s) => s.service_code === 'water').group, 'Public services');
  sql("UPDATE case_categories SET active = 0 WHERE code = 'suggestion'");
  const after = await o311('/open311/v2/services.json');
  assert.ok(!after.body.some((s) => s.service_code === 'suggestion'), 'inactive categories are not offered');
  assertError(await o311('/open311/v2/services/suggestion.json'), 404);
  sql("UPDATE case_categories SET active = 1 WHERE code = 'suggestion'");
  const x = await o311('/open311/v2/services.xml');
  assertWellFormed(x.text);
  assert.match(x.text, /<services><service><service_code>/);
  assert.ok(xmlValues(x.text, 'service_code').includes('water'));
  assert.ok(xmlValues(x.text, 'metadata').every((v) => v === 'true' || v === 'false'));
});

test('a service definition lists its questions as attributes', async () => {
  const r = await o311('/open311/v2/services/water.json');
  assert.equal(r.status, 200);
  assert.equal(r.body.service_code, 'water');
  assert.equal(r.body.attributes.length, 2);
  const [floor, kind] = r.body.attributes;
  assert.deepEqual(floor, { variable: true, code: 'floor', datatype: 'number', required: true, datatype_description: '数字', order: 1, description: '楼层', values: [] });
  assert.equal(kind.datatype, 'singlevaluelist');
  assert.equal(kind.required, false);
  assert.equal(kind.order, 2);
  assert.deepEqual(kind.values, [{ key: 'no_water', name: '停水' }, { key: 'low_pressure', name: '水压低' }]);
  const en = await o311('/open311/v2/services/water.json?locale=en');
  assert.equal(en.body.attributes[0].description, 'Floor');
  const none = await o311('/open311/v2/services/help.json');
  assert.deepEqual(none.body, { service_code: 'help', attributes: [] });
  const x = await o311('/open311/v2/services/water.xml');
  assertWellFormed(x.text);
  assert.match(x.text, /<service_definition><service_code>water<\/service_code><attributes><attribute><variable>true<\/variable><code>floor<\/code>/);
  assert.deepEqual(xmlValues(x.text, 'key'), ['no_water', 'low_pressure']);
});

test('POST requests: a form makes a case through intake; ids and tokens are strings', async () => {
  const r = await submit({ first_name: '小明', last_name: '王', phone: '13912345678', email: 'wang@example.com', media_url: 'https://img.example.com/a.jpg', device_id: 'dev-1' });
  assert.match(r.type, /^application\/json/);
  assert.equal(r.body.length, 1);
  const [first] = r.body;
  assert.match(first.service_request_id, /^\d+$/);
  assert.equal(first.account_id, null);
  assert.match(first.token, /^[2-9a-z]{26}$/);
  assert.equal(typeof first.service_notice, 'string');
  const c = await staff.json(`/api/v1/cases/${first.service_request_id}`);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.source, 'open311');
  assert.equal(c.body.area.code, areas.communityA, "the key's area when no jurisdiction_id");
  assert.deepEqual(c.body.attributes, { floor: 3, kind: 'no_water' }, 'a number question keeps a number');
  assert.deepEqual(c.body.location, { lat: 34.265, lon: 108.953 });
  assert.equal(c.body.address, '东风小区3号楼');
  assert.equal(c.body.reporter.name, '王小明');
  assert.equal(c.body.reporter.phone_masked, '139****5678');
  assert.match(c.body.call_notes, /wang@example\.com/);
  assert.match(c.body.call_notes, /dev-1/);
  assert.match(c.body.description, /https:\/\/img\.example\.com\/a\.jpg/, 'the remote media is linked, not fetched');
  assert.equal(c.body.created_by, 'token:o311-a');
  const x = await submit({ jurisdiction_id: areas.gridA, 'attribute[kind]': '' }, 'xml');
  assertWellFormed(x.text);
  const [id] = xmlValues(x.text, 'service_request_id');
  assert.match(id, /^\d+$/);
  assert.match(x.text, /<service_requests><request><service_request_id>\d+<\/service_request_id><service_notice>[^<]+<\/service_notice><account_id\/><token>[2-9a-z]{26}<\/token><\/request><\/service_requests>/);
  made.grid = id;
  const cx = await staff.json(`/api/v1/cases/${id}`);
  assert.equal(cx.body.area.code, areas.gridA);
  assert.deepEqual(cx.body.attributes, { floor: 3 });
});

test('POST requests with the key as a bearer token, or in the query', async () => {
  const { api_key, ...rest } = waterRequest();
  const r = await o311('/open311/v2/requests.json', { method: 'POST', form: rest, headers: { Authorization: `Bearer ${api_key}` } });
  assert.equal(r.status, 201, r.text);
  const q = await o311(`/open311/v2/requests.json?api_key=${api_key}`, { method: 'POST', form: rest });
  assert.equal(q.status, 201, q.text);
});

const refusals = [
  ['no service_code', { service_code: undefined }, 400],
  ['an unknown service_code', { service_code: 'no_such' }, 400],
  ['no location', { lat: undefined, long: undefined, address_string: undefined }, 400],
  ['lat without long', { long: undefined }, 400],
  ['lat out of range', { lat: '95' }, 400],
  ['lat not a number', { lat: 'north' }, 400],
  ['no description', { description: undefined }, 400],
  ['a required question unanswered', { 'attribute[floor]': undefined }, 400],
  ['an unknown question', { 'attribute[colour]': 'blue' }, 400],
  ['an answer not listed', { 'attribute[kind]': 'flood' }, 400],
  ['an unknown parameter', { surprise: '1' }, 400],
  ['a parameter given twice', 'api_key=KEY&service_code=water&service_code=help&address_string=x&description=xx', 400],
  ['a phone that is not one', { phone: '12345' }, 400],
  ['a media_url that is not http', { media_url: 'file:///etc/passwd' }, 400],
  ['a broken escape', 'api_key=KEY&description=%zz', 400],
  ['a jurisdiction outside the key', { jurisdiction_id: areas.gridB }, 404],
  ['a jurisdiction that does not exist', { jurisdiction_id: 'no-such-area' }, 404],
  ['no api_key', { api_key: undefined }, 403],
  ['a wrong api_key', { api_key: 'x'.repeat(43) }, 403],
  ["a handler's api_key", { api_key: 'HANDLER' }, 403],
];
for (const [what, change, status] of refusals) {
  test(`POST requests refuses ${what}: ${status}`, async () => {
    let form;
    if (typeof change === 'string') {
      form = change.replace('KEY', keys.a);
    } else {
      form = waterRequest(change);
      if (form.api_key === 'HANDLER') form.api_key = keys.handler;
    }
    for (const fmt of ['json', 'xml']) assertError(await o311(`/open311/v2/requests.${fmt}`, { method: 'POST', form }), status);
  });
}

test('POST requests wants a form: JSON is refused in the specification\'s words', async () => {
  const r = await o311('/open311/v2/requests.json', { method: 'POST', form: JSON.stringify(waterRequest()), headers: { 'Content-Type': 'application/json' } });
  assertError(r, 400);
  assertError(await o311('/open311/v2/services.json', { method: 'POST', form: {} }), 405);
  assertError(await o311('/open311/v2/nothing.json', { method: 'POST', form: {} }), 404);
});

// Requests for the reads below: two water, one help closed by its reporter,
// one aged past the default window, and one in community B.
test('GET requests: filters, defaults and the fields the specification names', async () => {
  made.w1 = (await submit()).body[0];
  made.w2 = (await submit({ address_string: '东风小区5号楼', lat: undefined, long: undefined })).body[0];
  made.help = (await submit({ service_code: 'help', 'attribute[floor]': undefined, 'attribute[kind]': undefined, description: '老人需要帮助' })).body[0];
  const w = await o311(`/api/v1/public/cases/${made.help.token}/actions`, { method: 'POST', form: JSON.stringify({ action: 'withdraw', version: 1 }), headers: { 'Content-Type': 'application/json' } });
  assert.equal(w.status, 200, w.text);
  made.old = (await submit({ description: '很久以前的停水' })).body[0];
  sql(`UPDATE cases SET submitted_at = submitted_at - ${100 * 86400} WHERE id = ${made.old.service_request_id}`);
  made.b = (await submit({ api_key: keys.b, description: '西关社区停水' })).body[0];

  const get = async (query, key = keys.a) => {
    const r = await o311(`/open311/v2/requests.json?api_key=${key}${query}`);
    assert.equal(r.status, 200, r.text);
    return r.body.map((x) => x.service_request_id);
  };
  const all = await get('');
  for (const k of ['w1', 'w2', 'help']) assert.ok(all.includes(made[k].service_request_id), k);
  assert.ok(!all.includes(made.old.service_request_id), 'the default window is the last 90 days');
  assert.ok(!all.includes(made.b.service_request_id), 'community B is outside the key');
  assert.deepEqual(all, [...all].sort((x, y) => Number(y) - Number(x)), 'newest first');

  const open = await get('&status=open');
  assert.ok(open.includes(made.w1.service_request_id) && !open.includes(made.help.service_request_id));
  const closed = await get('&status=closed');
  assert.deepEqual(closed, [made.help.service_request_id]);
  assert.deepEqual((await get('&status=open,closed')).sort(), [...all].sort());
  assert.deepEqual(await get('&service_code=help'), [made.help.service_request_id]);
  assert.ok((await get('&service_code=help,water')).length === all.length);
  const ids = `${made.w2.service_request_id},${made.old.service_request_id},${made.b.service_request_id}`;
  assert.deepEqual(await get(`&service_request_id=${ids}&status=closed`), [made.w2.service_request_id, made.old.service_request_id], 'ids ignore other filters, never the scope');
  assert.deepEqual(await get('&start_date=2099-01-01T00:00:00Z'), []);
  assert.deepEqual(await get('&end_date=2000-01-01T00:00:00%2B08:00'), []);
  const longAgo = new Date(Date.now() - 120 * 86400e3).toISOString();
  const withOld = await get(`&start_date=${longAgo}&end_date=${new Date(Date.now() + 60e3).toISOString()}`);
  assert.ok(withOld.includes(made.old.service_request_id) && withOld.includes(made.w1.service_request_id));
  assert.deepEqual(await get(`&jurisdiction_id=${areas.gridA}`), [made.grid], 'jurisdiction_id narrows to its subtree');

  const one = (await o311(`/open311/v2/requests.json?api_key=${keys.a}&service_request_id=${made.w1.service_request_id}`)).body[0];
  assert.deepEqual(Object.keys(one), ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description',
    'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id',
    'zipcode', 'lat', 'long', 'media_url']);
  assert.equal(one.status, 'open');
  assert.equal(one.service_name, '供水');
  assert.equal(one.lat, 34.265);
  assert.equal(one.long, 108.953);
  assert.match(one.requested_datetime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(one.media_url, null);
  const two = (await o311(`/open311/v2/requests/${made.w2.service_request_id}.json?api_key=${keys.a}&locale=en`)).body;
  assert.equal(two.length, 1);
  assert.equal(two[0].lat, null);
  assert.equal(two[0].service_name, 'Water supply');
});

const badReads = [
  ['status=pending', 400], ['start_date=yesterday', 400], ['start_date=2026-02-01&end_date=2026-01-01', 400],
  ['service_request_id=1,x', 400], ['service_code=a,,b', 400], ['jurisdiction_id=no-such-area', 404],
];
for (const [query, status] of badReads) {
  test(`GET requests?${query} is ${status}`, async () => {
    for (const fmt of ['json', 'xml']) assertError(await o311(`/open311/v2/requests.${fmt}?api_key=${keys.a}&${query}`), status);
  });
}

test('reading needs a key that reads by area; no reporter name or phone ever comes back', async () => {
  assertError(await o311('/open311/v2/requests.json'), 403);
  assertError(await o311('/open311/v2/requests.xml?api_key=wrong'), 403);
  assertError(await o311(`/open311/v2/requests.json?api_key=${keys.handler}`), 403);
  assertError(await o311(`/open311/v2/servicerequestupdates.json?api_key=${keys.handler}`), 403);
  assertError(await o311(`/open311/v2/requests/${made.w1.service_request_id}.json`), 403);
  // A signed-in browser is not an integration.
  const cookie = await staff.fetch(`/open311/v2/requests.json`);
  assert.equal(cookie.status, 403);
  const bearer = await o311('/open311/v2/requests.json', { headers: { Authorization: `Bearer ${keys.a}` } });
  assert.equal(bearer.status, 200);
  const grid = await o311(`/open311/v2/requests.json?api_key=${keys.gridA}`);
  assert.equal(grid.status, 200, 'a grid worker reads its grid');
  for (const path of [`/open311/v2/requests.json?api_key=${keys.a}`, `/open311/v2/requests.xml?api_key=${keys.a}`]) {
    const r = await o311(path);
    assert.ok(!r.text.includes('13912345678') && !r.text.includes('139****5678') && !r.text.includes('王小明') && !r.text.includes('wang@example.com'), r.text);
  }
});

test("scope: community B's key sees nothing of community A, and A's ids read as missing", async () => {
  const list = await o311(`/open311/v2/requests.json?api_key=${keys.b}`);
  assert.deepEqual(list.body.map((r) => r.service_request_id), [made.b.service_request_id]);
  const byId = await o311(`/open311/v2/requests.json?api_key=${keys.b}&service_request_id=${made.w1.service_request_id}`);
  assert.deepEqual(byId.body, []);
  const one = await o311(`/open311/v2/requests/${made.w1.service_request_id}.json?api_key=${keys.b}`);
  const missing = await o311('/open311/v2/requests/999999999.json?api_key=' + keys.b);
  assertError(one, 404);
  assert.deepEqual(one.body, missing.body, 'out of scope answers as missing');
  assertError(await o311(`/open311/v2/requests.json?api_key=${keys.b}&jurisdiction_id=${areas.communityA}`), 404);
  const upd = await o311(`/open311/v2/servicerequestupdates.json?api_key=${keys.b}`);
  assert.ok(upd.body.every((u) => u.service_request_id === made.b.service_request_id));
});

test('GET requests in XML', async () => {
  const x = await o311(`/open311/v2/requests.xml?api_key=${keys.a}&status=closed`);
  assert.equal(x.status, 200);
  assertWellFormed(x.text);
  assert.match(x.text, /^<\?xml[^>]*\?>\n<service_requests><request><service_request_id>\d+<\/service_request_id><status>closed<\/status>/);
  assert.deepEqual(xmlValues(x.text, 'service_request_id'), [made.help.service_request_id]);
  assert.match(x.text, /<address_id\/><zipcode\/>/);
  const empty = await o311(`/open311/v2/requests.xml?api_key=${keys.a}&start_date=2099-01-01`);
  assertWellFormed(empty.text);
  assert.match(empty.text, /<service_requests><\/service_requests>/);
});

test('tokens: the follow code leads to its request', async () => {
  const r = await o311(`/open311/v2/tokens/${made.w1.token}.json`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, [{ service_request_id: made.w1.service_request_id, token: made.w1.token }]);
  const x = await o311(`/open311/v2/tokens/${made.w1.token}.xml`);
  assertWellFormed(x.text);
  assert.deepEqual(xmlValues(x.text, 'token'), [made.w1.token]);
});

test('servicerequestupdates: the public steps of acting on a case, in mySociety statuses', async () => {
  const id = made.w1.service_request_id;
  const act = async (client, action, extra = {}) => {
    const c = await staff.json(`/api/v1/cases/${id}`);
    const r = await client.json(`/api/v1/cases/${id}/actions`, { method: 'POST', body: JSON.stringify({ action, version: c.body.version, ...extra }) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  await act(staff, 'dispatch', { lead_department: unitId });
  await act(staff, 'comment', { text: '内部备注：联系物业' });
  await act(handler, 'sign');
  await act(handler, 'resolve', { result: '已更换水泵，恢复供水' });
  const r = await o311(`/open311/v2/servicerequestupdates.json?api_key=${keys.a}`);
  assert.equal(r.status, 200, r.text);
  const mine = r.body.filter((u) => u.service_request_id === id);
  assert.deepEqual(mine.map((u) => [u.status, u.external_status_code]), [['INVESTIGATING', 'dispatched'], ['IN_PROGRESS', 'signed'], ['FIXED', 'resolved']]);
  assert.equal(mine[2].description, '已更换水泵，恢复供水');
  assert.equal(mine[0].description, '已派至承办部门');
  assert.ok(!r.text.includes('内部备注'), 'internal notes are not updates');
  for (const u of mine) {
    assert.deepEqual(Object.keys(u), ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url', 'external_status_code']);
    assert.match(u.update_id, /^\d+$/);
  }
  const withdrawn = r.body.filter((u) => u.service_request_id === made.help.service_request_id);
  assert.deepEqual(withdrawn.map((u) => u.status), ['CLOSED']);
  const en = await o311(`/open311/v2/servicerequestupdates.json?api_key=${keys.a}&locale=en`);
  assert.equal(en.body.find((u) => u.service_request_id === id).description, 'Sent to the department responsible');
  assert.deepEqual(await o311(`/open311/v2/servicerequestupdates.json?api_key=${keys.a}&end_date=2000-01-01`).then((x) => x.body), []);
  const x = await o311(`/open311/v2/servicerequestupdates.xml?api_key=${keys.a}`);
  assertWellFormed(x.text);
  assert.match(x.text, /<service_request_updates><request_update><update_id>\d+<\/update_id>/);
  assert.ok(xmlValues(x.text, 'status').includes('FIXED'));

  const req = (await o311(`/open311/v2/requests/${id}.json?api_key=${keys.a}`)).body[0];
  assert.equal(req.status, 'closed');
  assert.equal(req.status_notes, '已更换水泵，恢复供水');
  assert.equal(req.agency_responsible, '自来水公司');
  assert.match(req.expected_datetime, /Z$/);
  assert.ok(Date.parse(req.updated_datetime) >= Date.parse(req.requested_datetime));
});

test('POST servicerequestupdates: a comment on a request the key submitted, on the public timeline', async () => {
  const id = made.w2.service_request_id;
  const r = await o311('/open311/v2/servicerequestupdates.json', { method: 'POST', form: {
    api_key: keys.a, service_request_id: id, description: '今天又停了一次', updated_datetime: new Date().toISOString(), status: 'OPEN', email: 'x@example.com', first_name: 'A', last_name: 'B',
  } });
  assert.equal(r.status, 201, r.text);
  assert.match(r.body[0].update_id, /^\d+$/);
  const follow = await o311(`/api/v1/public/cases/${made.w2.token}`);
  const last = follow.body.timeline.at(-1);
  assert.equal(last.action, 'comment');
  assert.equal(last.party, 'reporter');
  assert.equal(last.note, '今天又停了一次');
  const upd = await o311(`/open311/v2/servicerequestupdates.json?api_key=${keys.a}`);
  const mine = upd.body.find((u) => u.update_id === r.body[0].update_id);
  assert.deepEqual([mine.service_request_id, mine.status, mine.description], [id, 'OPEN', '今天又停了一次']);
  const x = await o311('/open311/v2/servicerequestupdates.xml', { method: 'POST', form: { api_key: keys.a, service_request_id: id, description: '补充' } });
  assert.equal(x.status, 201);
  assertWellFormed(x.text);
  assert.match(x.text, /<service_request_updates><request_update><update_id>\d+<\/update_id><\/request_update><\/service_request_updates>/);
});

test('POST servicerequestupdates refuses what is not the key\'s to comment on', async () => {
  const pub = await o311('/api/v1/public/cases', { method: 'POST', form: JSON.stringify({ category: 'help', area_code: areas.gridA, description: '居民提交', reporter_phone: '13912345678' }), headers: { 'Content-Type': 'application/json' } });
  assert.equal(pub.status, 201, pub.text);
  const comment = (extra) => o311('/open311/v2/servicerequestupdates.json', { method: 'POST', form: { api_key: keys.a, service_request_id: made.w2.service_request_id, description: '说明', ...extra } });
  assertError(await comment({ service_request_id: String(pub.body.id) }), 403);
  assertError(await comment({ api_key: keys.a2 }), 403);
  assertError(await comment({ api_key: keys.b }), 404);
  assertError(await comment({ service_request_id: '999999999' }), 404);
  assertError(await comment({ service_request_id: 'abc' }), 404);
  assertError(await comment({ service_request_id: made.help.service_request_id }), 400);
  assertError(await comment({ description: '' }), 400);
  assertError(await comment({ updated_datetime: 'now' }), 400);
  assertError(await comment({ api_key: 'nope' }), 403);
  assertError(await comment({ surprise: 'x' }), 400);
});
