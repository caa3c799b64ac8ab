// Cases over HTTP: intake from every channel, the loop 点单 → 派单 → 接单 →
// 评单 through the transition table, versions, scope, inboxes with unread
// counts, the resident's follow link, whistles, returns, merges.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD, areas } from '../lib/fixtures.mjs';

let srv, town, staff, staffB, gw, commander, water, city, resident, residentB;
const units = {};

const post = (c, path, body, headers = {}) => c.json(path, { method: 'POST', body: JSON.stringify(body), headers });
async function anon(path, init = {}) {
  const r = await fetch(srv.url + path, { ...init, headers: { 'Content-Type': 'application/json', ...(init.headers || {}) } });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
const act = (c, id, version, action, extra = {}) => post(c, `/api/v1/cases/${id}/actions`, { action, version, ...extra });

async function newUnit(name) {
  const r = await post(town.admin, '/api/v1/units', { name, type: 'department', area_code: areas.town });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}
async function handlerOf(loginName, unitId) {
  const r = await post(town.admin, '/api/v1/users', { login: loginName, display_name: loginName, role: 'handler', area_code: areas.town, unit_id: unitId, password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return login(srv, loginName, PASSWORD);
}

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  staff = await town.login('staff');
  staffB = await town.login('staff_b');
  gw = await town.login('grid_worker');
  commander = await town.login('commander');
  resident = await town.login('resident');
  residentB = await town.login('resident_b');
  units.water = await newUnit('自来水公司');
  units.city = await newUnit('城管执法中队');
  units.police = await newUnit('派出所');
  water = await handlerOf('h_water', units.water);
  city = await handlerOf('h_city', units.city);
});
after(async () => { if (process.env.SHOW_STDERR) console.log(srv.stderr()); await srv.stop(); });

const resident_request = (extra = {}) => ({
  category: 'water', area_code: areas.gridA, description: '3号楼停水两天了，没人通知', address: '东风小区3号楼', reporter_phone: '13912345678', ...extra,
});

async function submitAnon(extra) {
  const r = await anon('/api/v1/public/cases', { method: 'POST', body: JSON.stringify(resident_request(extra)) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

test('an anonymous resident submits from a phone and gets a follow code', async () => {
  const r = await submitAnon();
  assert.equal(r.state, 'submitted');
  assert.match(r.follow_code, /^[2-9a-z]{26}$/);
  assert.ok(r.follow_url.endsWith(r.follow_code));
  const seen = await staff.json(`/api/v1/cases/${r.id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.source, 'resident');
  assert.equal(seen.body.reporter.phone_masked, '139****5678');
  assert.ok(!JSON.stringify(seen.body).includes('13912345678'), 'the phone never leaves unmasked');
  assert.equal(seen.body.title, '3号楼停水两天了，没人通知');
  assert.deepEqual(seen.body.allowed_actions.sort(), ['answer_directly', 'comment', 'dispatch', 'merge', 'remind', 'supervise'].sort());
  assert.equal(seen.body.timeline[0].action, 'submit');
});

const intakeRefusals = [
  [{ reporter_phone: undefined }, 422, 'reporter_phone'],
  [{ reporter_phone: '12345' }, 422, 'reporter_phone'],
  [{ category: 'no_such' }, 422, 'category'],
  [{ area_code: '999999' }, 422, 'area_code'],
  [{ area_code: undefined }, 422, 'area_code'],
  [{ description: '' }, 422, 'description'],
  [{ location: { lat: 95, lon: 108 } }, 422, 'location'],
  [{ location: { lat: 'x', lon: 108 } }, 422, 'location'],
  [{ photos: ['not-a-hash'] }, 422, 'photos'],
  [{ photos: ['a'.repeat(64)] }, 422, 'photos'],
  [{ source: 'hotline' }, 422, 'source'],
  [{ direct_answer: "已答复" }, 422, "direct_answer"],
  [{ attributes: { floor: 3 } }, 422, 'attributes'],
  [{ surprise: 1 }, 422, 'surprise'],
];
for (const [change, status, field] of intakeRefusals) {
  test(`public intake refuses ${JSON.stringify(change)} with ${status} ${field}`, async () => {
    const body = resident_request(change);
    const r = await anon('/api/v1/public/cases', { method: 'POST', body: JSON.stringify(body) });
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.field, field);
  });
}

test('a grid worker reports in their grid only; hotline and window record their source', async () => {
  const r = await post(gw, '/api/v1/cases', { category: 'sanitation', area_code: areas.gridA, description: '垃圾堆积在楼下', urgent: true, location: { lat: 34.265, lon: 108.953 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const c = await gw.json(`/api/v1/cases/${r.body.id}`);
  assert.equal(c.body.source, 'grid_worker');
  assert.equal(c.body.urgent, true);
  assert.deepEqual(c.body.location, { lat: 34.265, lon: 108.953 });
  const out = await post(gw, '/api/v1/cases', { category: 'sanitation', area_code: areas.gridB, description: '垃圾堆积在楼下' });
  assert.equal(out.status, 422);
  assert.equal(out.body.error.field, 'area_code');
  const hot = await post(staff, '/api/v1/cases', { source: 'hotline', category: 'inquiry', description: '咨询医保报销流程', reporter_phone: '029-88886666', call_notes: '来电人姓王', direct_answer: '已告知报销流程及所需材料' });
  assert.equal(hot.status, 201, JSON.stringify(hot.body));
  assert.equal(hot.body.state, 'closed', 'answered directly: closed at once');
  const h = await staff.json(`/api/v1/cases/${hot.body.id}`);
  assert.equal(h.body.source, 'hotline');
  assert.equal(h.body.result, '已告知报销流程及所需材料');
  assert.deepEqual(h.body.timeline.map((e) => e.action), ['submit', 'answer_directly']);
  const win = await post(staff, '/api/v1/cases', { source: 'window', category: 'help', description: '办理低保手续不顺利' });
  assert.equal(win.status, 201);
  assert.equal(win.body.state, 'submitted');
  const bad = await post(gw, '/api/v1/cases', { source: 'hotline', category: 'help', description: '测试' });
  assert.equal(bad.status, 422);
});

test('the same Idempotency-Key twice creates one case', async () => {
  const key = `idem-${Date.now()}`;
  const body = resident_request({ description: '幂等提交测试' });
  const a = await anon('/api/v1/public/cases', { method: 'POST', body: JSON.stringify(body), headers: { 'Idempotency-Key': key } });
  const b = await anon('/api/v1/public/cases', { method: 'POST', body: JSON.stringify(body), headers: { 'Idempotency-Key': key } });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(a.body.id, b.body.id);
  const list = await staff.json('/api/v1/cases?q=' + encodeURIComponent('幂等提交测试'));
  assert.equal(list.body.items.length, 1);
});

test('the whole loop: dispatch, sign, extend, resolve, rate unsatisfied (reopen), resolve, rate, every step on the timeline', async () => {
  const sub = await submitAnon({ description: '楼道水管漏水' });
  let c = (await staff.json(`/api/v1/cases/${sub.id}`)).body;

  // versions are required and checked
  let r = await post(staff, `/api/v1/cases/${sub.id}/actions`, { action: 'dispatch', lead_department: units.water });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'version');
  r = await act(staff, sub.id, c.version + 5, 'dispatch', { lead_department: units.water });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'conflict');
  r = await act(staff, sub.id, c.version, 'dispatch');
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'lead_department');
  r = await act(staff, sub.id, c.version, 'dispatch', { lead_department: 999999 });
  assert.equal(r.status, 422);
  r = await act(staff, sub.id, c.version, 'dispatch', { lead_department: units.water });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  c = r.body;
  assert.equal(c.state, 'dispatched');
  assert.equal(c.lead_department.id, units.water);
  assert.ok(c.sign_due_at);

  // a department that is not on the case does not see it at all
  assert.equal((await city.json(`/api/v1/cases/${sub.id}`)).status, 404);
  // the grid worker sees it (their grid) but has no part in it
  r = await act(gw, sub.id, c.version, 'sign');
  assert.equal(r.status, 403);

  const inbox = await water.json('/api/v1/cases?inbox=department');
  const item = inbox.body.items.find((i) => i.id === sub.id);
  assert.ok(item, 'in the department inbox');
  assert.equal(item.unread, true);

  r = await act(water, sub.id, c.version, 'sign');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  c = r.body;
  assert.equal(c.state, 'signed');
  assert.ok(c.resolve_due_at);
  r = await act(water, sub.id, c.version, 'sign');
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'invalid_transition');
  assert.match(r.body.error.message, /signed/);

  r = await act(water, sub.id, c.version, 'request_extension', { extension_days: 3, text: '需更换主管道' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  c = r.body;
  assert.equal(c.extension_pending, true);
  const dueBefore = Date.parse(c.resolve_due_at);
  const disp = await staff.json('/api/v1/cases?inbox=dispatch');
  assert.ok(disp.body.items.some((i) => i.id === sub.id && i.extension_pending), 'the request waits in the dispatch queue');
  r = await act(staff, sub.id, c.version, 'approve_extension');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  c = r.body;
  assert.ok(Date.parse(c.resolve_due_at) > dueBefore, 'the deadline moved');
  assert.equal(c.extension_pending, false);

  r = await act(water, sub.id, c.version, 'resolve');
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'result');
  r = await act(water, sub.id, c.version, 'resolve', { result: '已更换漏水管段' });
  assert.equal(r.status, 200);
  c = r.body;
  assert.equal(c.state, 'resolved');

  // the resident follows without an account and sees the public timeline
  let f = await anon(`/api/v1/public/cases/${sub.follow_code}`);
  assert.equal(f.status, 200);
  assert.equal(f.body.state, 'resolved');
  assert.equal(f.body.result, '已更换漏水管段');
  assert.ok(f.body.allowed_actions.includes('rate'));
  assert.ok(!f.body.timeline.some((e) => e.action === 'request_extension'), 'internal steps stay internal');
  assert.ok(!('reporter' in f.body) && !('call_notes' in f.body));
  assert.ok(f.body.timeline.every((e) => !('actor' in e)), 'no clerk names on the public page');
  assert.equal(f.body.timeline.find((e) => e.action === 'sign').unit, '自来水公司');

  r = await anon(`/api/v1/public/cases/${sub.follow_code}/actions`, { method: 'POST', body: JSON.stringify({ action: 'rate', version: f.body.version, rating_outcome: 'not', satisfaction: 'unsatisfied', text: '还在漏' }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'signed', 'an unsatisfied first rating reopens the case');
  assert.equal(r.body.reopen_count, 1);
  c = (await water.json(`/api/v1/cases/${sub.id}`)).body;
  r = await act(water, sub.id, c.version, 'resolve', { result: '二次维修完成' });
  assert.equal(r.status, 200);
  f = await anon(`/api/v1/public/cases/${sub.follow_code}`);
  r = await anon(`/api/v1/public/cases/${sub.follow_code}/actions`, { method: 'POST', body: JSON.stringify({ action: 'rate', version: f.body.version, rating_outcome: 'resolved', satisfaction: 'satisfied' }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'rated');
  assert.equal(r.body.rating.satisfaction, 'satisfied');
  r = await anon(`/api/v1/public/cases/${sub.follow_code}/actions`, { method: 'POST', body: JSON.stringify({ action: 'rate', version: r.body.version, rating_outcome: 'resolved', satisfaction: 'satisfied' }) });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'invalid_transition');
  r = await anon(`/api/v1/public/cases/${sub.follow_code}/actions`, { method: 'POST', body: JSON.stringify({ action: 'sign', version: 1 }) });
  assert.equal(r.status, 403);

  c = (await staff.json(`/api/v1/cases/${sub.id}`)).body;
  assert.deepEqual(c.timeline.map((e) => e.action), ['submit', 'dispatch', 'sign', 'request_extension', 'approve_extension', 'resolve', 'rate', 'resolve', 'rate']);
  assert.deepEqual(c.timeline.map((e) => e.to), ['submitted', 'dispatched', 'signed', 'signed', 'signed', 'resolved', 'signed', 'resolved', 'rated']);
  assert.ok(c.timeline.every((e) => e.at && e.party));
  const audit = await town.admin.json(`/api/v1/audit?object_type=case&object_id=${sub.id}`);
  assert.equal(audit.status, 200);
  assert.ok(audit.body.items.length >= 8, `audited: ${audit.body.items.length}`);
});

test('concurrent dispatch of one case: one wins, the other gets 409 conflict', async () => {
  const sub = await submitAnon({ description: '并发派单测试' });
  const c = (await staff.json(`/api/v1/cases/${sub.id}`)).body;
  const commanderA = await town.login('commander_a');
  const results = await Promise.all([
    act(staff, sub.id, c.version, 'dispatch', { lead_department: units.water }),
    act(commanderA, sub.id, c.version, 'dispatch', { lead_department: units.city }),
  ]);
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 409], JSON.stringify(results.map((r) => r.body)));
  const loser = results.find((r) => r.status === 409);
  assert.equal(loser.body.error.code, 'conflict');
  const now = (await staff.json(`/api/v1/cases/${sub.id}`)).body;
  assert.equal(now.timeline.filter((e) => e.action === 'dispatch').length, 1);
});

test('return, ruling, whistle and report-in, merge, withdraw', async () => {
  const sub = await submitAnon({ description: '占道经营' , category: 'complaint' });
  let c = (await act(staff, sub.id, 1, 'dispatch', { lead_department: units.water })).body;
  let r = await act(water, sub.id, c.version, 'return', { return_reason: 'not_my_job' });
  assert.equal(r.status, 422);
  r = await act(water, sub.id, c.version, 'return', { return_reason: 'not_our_duty', text: '应由城管处理' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  c = r.body;
  assert.equal(c.state, 'returned');
  assert.ok((await staff.json('/api/v1/cases?inbox=dispatch')).body.items.some((i) => i.id === sub.id));
  r = await act(staff, sub.id, c.version, 'rule');
  assert.equal(r.status, 200);
  c = r.body;
  assert.equal(c.state, 'dispatched');
  assert.equal(c.ruled, true);
  r = await act(water, sub.id, c.version, 'sign');
  c = r.body;
  r = await act(water, sub.id, c.version, 'return', { return_reason: 'not_our_duty' });
  assert.equal(r.status, 409, 'ruled: the department must handle it');
  assert.equal(r.body.error.code, 'invalid_transition');

  r = await act(staff, sub.id, c.version, 'whistle', { co_departments: [units.city, units.police] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  c = r.body;
  assert.deepEqual(c.co_departments.map((u) => u.id).sort(), [units.city, units.police].sort());
  const inbox = await city.json('/api/v1/cases?inbox=department');
  assert.ok(inbox.body.items.some((i) => i.id === sub.id), 'a whistled department finds it');
  r = await act(city, sub.id, c.version, 'report_in');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await act(city, sub.id, r.body.version, 'reply', { text: '已安排执法队员清理' });
  assert.equal(r.status, 200);
  const reply = r.body.co_departments.find((u) => u.id === units.city);
  assert.equal(reply.reply, '已安排执法队员清理');
  assert.ok(reply.reported_at && reply.replied_at);
  assert.ok(!(await city.json('/api/v1/cases?inbox=department')).body.items.some((i) => i.id === sub.id), 'answered: off the inbox');
  r = await act(city, sub.id, r.body.version, 'resolve', { result: 'x' });
  assert.equal(r.status, 403, 'a co-handler does not resolve');

  // merge a duplicate into an open case
  const dup = await submitAnon({ description: '占道经营又来了', category: 'complaint' });
  const d = (await staff.json(`/api/v1/cases/${dup.id}`)).body;
  assert.equal(d.possible_duplicates, undefined, 'the case alone: duplicates are asked for on their own');
  const dups = await staff.json(`/api/v1/cases/${dup.id}/duplicates`);
  assert.equal(dups.status, 200, JSON.stringify(dups.body));
  assert.equal(dups.body.next_cursor, null);
  const shown = dups.body.items.find((p) => p.id === sub.id);
  assert.ok(shown, 'the dispatcher is shown the likely duplicate');
  assert.deepEqual(Object.keys(shown).sort(), ['address', 'area_name', 'id', 'state', 'submitted_at', 'title']);
  assert.ok(!dups.body.items.some((p) => p.id === dup.id), 'not itself');
  for (const [who, path, status, code] of [
    [water, `/api/v1/cases/${sub.id}/duplicates`, 403, 'forbidden'],   // a handler merges nothing
    [staffB, `/api/v1/cases/${dup.id}/duplicates`, 404, 'not_found'],  // out of scope reads as missing
    [staff, '/api/v1/cases/999999999/duplicates', 404, 'not_found'],
    [staff, '/api/v1/cases/abc/duplicates', 404, 'not_found'],
  ]) {
    const r2 = await who.json(path);
    assert.equal(r2.status, status, `${path}: ${JSON.stringify(r2.body)}`);
    assert.equal(r2.body.error.code, code);
  }
  r = await act(staff, dup.id, d.version, 'merge', { merged_into: dup.id });
  assert.equal(r.status, 422);
  r = await act(staff, dup.id, d.version, 'merge', { merged_into: sub.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'closed');
  assert.equal(r.body.merged_into, sub.id);
  assert.deepEqual((await staff.json(`/api/v1/cases/${dup.id}/duplicates`)).body.items, [], 'merged: nothing left to offer');

  // the reporter withdraws before anyone holds it
  const w = await submitAnon({ description: '已自行解决', category: 'help' });
  r = await anon(`/api/v1/public/cases/${w.follow_code}/actions`, { method: 'POST', body: JSON.stringify({ action: 'withdraw', version: 1 }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'closed');
  assert.equal((await anon('/api/v1/public/cases/abcdefghijkmnpqrstuvwxyz23')).status, 404);
});

test('scope: other communities, departments and residents see 404, the same as a missing case', async () => {
  const sub = await submitAnon({ description: '范围测试' });
  const missing = await staffB.json('/api/v1/cases/99999999');
  const hidden = await staffB.json(`/api/v1/cases/${sub.id}`);
  assert.equal(hidden.status, 404);
  assert.deepEqual(hidden.body, missing.body);
  assert.equal((await residentB.json(`/api/v1/cases/${sub.id}`)).status, 404);
  assert.equal((await city.json(`/api/v1/cases/${sub.id}`)).status, 404);
  assert.ok(!(await staffB.json('/api/v1/cases')).body.items.some((i) => i.id === sub.id));
  assert.ok(!(await staffB.json('/api/v1/cases?inbox=dispatch')).body.items.some((i) => i.id === sub.id));
  const r = await act(staffB, sub.id, 1, 'dispatch', { lead_department: units.water });
  assert.equal(r.status, 404);
});

test('a signed-in resident finds their own reports under mine; unread counts follow reading', async () => {
  const r = await post(resident, '/api/v1/cases', { category: 'suggestion', description: '建议小区增设充电桩' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const mine = await resident.json('/api/v1/cases?inbox=mine');
  assert.equal(mine.status, 200);
  assert.ok(mine.body.items.some((i) => i.id === r.body.id));
  assert.equal((await resident.json('/api/v1/cases?inbox=dispatch')).status, 403);
  assert.equal((await residentB.json(`/api/v1/cases/${r.body.id}`)).status, 404);

  let counts = (await staff.json('/api/v1/cases/inboxes')).body;
  assert.ok(counts.dispatch.total >= 1);
  const unreadBefore = counts.dispatch.unread;
  await staff.json(`/api/v1/cases/${r.body.id}`);
  counts = (await staff.json('/api/v1/cases/inboxes')).body;
  assert.equal(counts.dispatch.unread, unreadBefore - 1, 'opening a case reads it');
  assert.ok('supervision' in counts && !('department' in counts));
  assert.deepEqual(Object.keys((await water.json('/api/v1/cases/inboxes')).body).sort(), ['department', 'mine']);
});

test('lists: filters, pagination, bad parameters', async () => {
  const page1 = await staff.json('/api/v1/cases?limit=2');
  assert.equal(page1.status, 200);
  assert.equal(page1.body.items.length, 2);
  assert.ok(page1.body.next_cursor);
  const page2 = await staff.json(`/api/v1/cases?limit=2&cursor=${page1.body.next_cursor}`);
  assert.ok(page2.body.items.every((i) => i.id < page1.body.items[1].id));
  const filtered = await staff.json('/api/v1/cases?state=closed&limit=500');
  assert.ok(filtered.body.items.length >= 1 && filtered.body.items.every((i) => i.state === 'closed'));
  const bySource = await staff.json('/api/v1/cases?source=hotline');
  assert.ok(bySource.body.items.every((i) => i.source === 'hotline'));
  assert.equal((await staff.json('/api/v1/cases?state=nope')).status, 400);
  assert.equal((await staff.json('/api/v1/cases?inbox=nope')).status, 400);
  assert.equal((await staff.json('/api/v1/cases?limit=0')).status, 400);
  assert.equal((await staff.json('/api/v1/cases?cursor=abc')).status, 400);
  assert.equal((await staff.json(`/api/v1/cases?area=${areas.communityB}`)).status, 404);
  const dep = await water.json('/api/v1/cases?inbox=department&limit=1');
  assert.equal(dep.status, 200);
  if (dep.body.next_cursor) assert.match(dep.body.next_cursor, /^-?\d+\.\d+$/);
});

test('a public area look-up names the place of a poster form', async () => {
  const r = await anon(`/api/v1/public/areas/${areas.gridA}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.name, '东风社区第一网格');
  assert.equal(r.body.parent_name, '东风社区');
  assert.equal((await anon('/api/v1/public/areas/nope')).status, 404);
});

// A tiny JPEG header unique per call: enough for the content check.
function jpeg(tag) {
  const note = Buffer.from(`${tag}-${Date.now()}-${Math.random()}`);
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0, note.length + 2]), note,
    Buffer.from([0xff, 0xc0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0])]);
}
async function upload(tag) {
  const r = await fetch(`${srv.url}/api/v1/photos`, { method: 'POST', body: jpeg(tag), headers: { 'Content-Type': 'image/jpeg' } });
  assert.equal(r.status, 201);
  return (await r.json()).sha256;
}

test('photos: attached at intake and to the result, shown on both views and served back', async () => {
  const before = await upload('before');
  const sub = await submitAnon({ description: '路灯不亮', photos: [before] });
  let c = (await act(staff, sub.id, 1, 'dispatch', { lead_department: units.water })).body;
  c = (await act(water, sub.id, c.version, 'sign')).body;
  const after = await upload('after');
  const r = await act(water, sub.id, c.version, 'resolve', { result: '已修复', photos: [after] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const resolveEvent = r.body.timeline.find((e) => e.action === 'resolve');
  assert.deepEqual(r.body.photos.map((p) => [p.sha256, p.event_id]), [[before, null], [after, resolveEvent.id]]);
  const pub = await anon(`/api/v1/public/cases/${sub.follow_code}`);
  assert.equal(pub.body.photos.length, 2);
  const img = await fetch(srv.url + pub.body.photos[1].url);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/jpeg');
  const many = await act(water, sub.id, r.body.version, 'comment', { text: '多图', photos: Array.from({ length: 10 }, (_, i) => String(i).padStart(64, 'a')) });
  assert.equal(many.status, 422, 'more than photo_max_count');
  assert.equal(many.body.error.field, 'photos');
});

test('routing rules: the deepest area wins and dispatches at intake; a manual rule pre-selects', async () => {
  const rule = (body) => post(town.admin, '/api/v1/case-routes', body);
  let r = await rule({ category: 'livelihood', area_code: areas.town, lead_unit_id: units.city, auto: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await rule({ category: 'water', area_code: areas.communityA, lead_unit_id: units.water, co_unit_ids: [units.police], auto: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await rule({ category: 'power', area_code: areas.communityA, lead_unit_id: units.police, auto: false });
  assert.equal(r.status, 201, JSON.stringify(r.body));

  // 供水 in community A: its own rule (deeper area) beats 民生服务 at town level.
  const a = await submitAnon({ category: 'water', description: '规则派单：停水' });
  assert.equal(a.state, 'dispatched');
  let c = (await staff.json(`/api/v1/cases/${a.id}`)).body;
  assert.equal(c.lead_department.id, units.water);
  assert.deepEqual(c.co_departments.map((u) => u.id), [units.police]);
  const d = c.timeline.find((e) => e.action === 'dispatch');
  assert.equal(d.party, 'system');
  assert.ok(c.sign_due_at);
  // 供气 has no rule of its own: the parent's town-level rule applies.
  const b = await submitAnon({ category: 'gas', description: '规则派单：燃气' });
  assert.equal(b.state, 'dispatched');
  assert.equal((await staff.json(`/api/v1/cases/${b.id}`)).body.lead_department.id, units.city);
  // A manual rule only suggests: the case waits in the dispatch queue.
  const m = await submitAnon({ category: 'power', description: '规则派单：停电' });
  assert.equal(m.state, 'submitted');
  c = (await staff.json(`/api/v1/cases/${m.id}`)).body;
  assert.equal(c.suggested_department.id, units.police);
  // No rule at all.
  const n = await submitAnon({ category: 'inquiry', description: '规则派单：咨询' });
  assert.equal(n.state, 'submitted');
  assert.equal((await staff.json(`/api/v1/cases/${n.id}`)).body.suggested_department, null);
});

test('a category\'s extra questions are checked at intake; a retired category takes no new cases', async () => {
  let r = await post(town.admin, '/api/v1/case-categories', {
    code: 'pets', name_zh: '宠物扰民', name_en: 'Pet nuisance', parent_code: 'complaint',
    fields: [
      { code: 'kind', name_zh: '种类', name_en: 'Kind', type: 'singlevaluelist', required: true, values: [{ key: 'dog', name: '狗' }, { key: 'cat', name: '猫' }] },
      { code: 'times', name_zh: '时段', name_en: 'When', type: 'multivaluelist', values: [{ key: 'day', name: '白天' }, { key: 'night', name: '夜间' }] },
    ],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const base = { category: 'pets', description: '楼上狗叫' };
  r = await anon('/api/v1/public/cases', { method: 'POST', body: JSON.stringify(resident_request(base)) });
  assert.equal(r.status, 422);
  assert.match(r.body.error.message, /kind/);
  r = await anon('/api/v1/public/cases', { method: 'POST', body: JSON.stringify(resident_request({ ...base, attributes: { kind: 'bird' } })) });
  assert.equal(r.status, 422);
  r = await anon('/api/v1/public/cases', { method: 'POST', body: JSON.stringify(resident_request({ ...base, attributes: { kind: 'dog', times: ['day', 'night'] } })) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual((await staff.json(`/api/v1/cases/${r.body.id}`)).body.attributes, { kind: 'dog', times: ['day', 'night'] });
  r = await staff.json('/api/v1/cases/' + r.body.id);
  const open = r.body;
  assert.equal((await town.admin.json('/api/v1/case-categories/pets', { method: 'PATCH', body: JSON.stringify({ active: false }) })).status, 200);
  r = await anon('/api/v1/public/cases', { method: 'POST', body: JSON.stringify(resident_request({ ...base, attributes: { kind: 'cat' } })) });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'category');
  // The open case of the retired category still moves on its clock.
  r = await act(staff, open.id, open.version, 'dispatch', { lead_department: units.city });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.sign_due_at);
});

test('departments a case may go to: in the dispatcher\'s scope or stationed above the case', async () => {
  const farUnit = (await post(town.admin, '/api/v1/units', { name: '西关社区卫生站', type: 'department', area_code: areas.communityB })).body.id;
  const sub = await submitAnon({ category: 'inquiry', description: '派单范围' });
  const list = await staff.json(`/api/v1/cases/${sub.id}/departments`);
  assert.equal(list.status, 200);
  const ids = list.body.items.map((u) => u.id);
  for (const u of [units.water, units.city, units.police]) assert.ok(ids.includes(u), 'town departments serve community A');
  assert.ok(!ids.includes(farUnit), 'not a department of another community');
  let r = await act(staff, sub.id, 1, 'dispatch', { lead_department: farUnit });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'lead_department');
  r = await act(staff, sub.id, 1, 'dispatch', { lead_department: units.police, co_departments: [farUnit] });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'co_departments');
  assert.equal((await staffB.json(`/api/v1/cases/${sub.id}/departments`)).status, 404);
});

test('the reporter\'s phone is revealed only on request, to roles that call back, and audited', async () => {
  const sub = await submitAnon({ category: 'inquiry', description: '请回电', reporter_phone: '13700001111' });
  const c = (await act(staff, sub.id, 1, 'dispatch', { lead_department: units.water })).body;
  assert.equal(c.reporter.phone_masked, '137****1111');
  assert.ok(!('phone' in c.reporter));
  const shown = await water.json(`/api/v1/cases/${sub.id}?reveal=phone`);
  assert.equal(shown.status, 200);
  assert.equal(shown.body.reporter.phone, '13700001111');
  assert.equal((await resident.json(`/api/v1/cases/${sub.id}?reveal=phone`)).status, 403);
  assert.equal((await staff.json(`/api/v1/cases/${sub.id}?reveal=id`)).status, 400);
  assert.equal((await city.json(`/api/v1/cases/${sub.id}?reveal=phone`)).status, 404);
  const audit = await town.admin.json(`/api/v1/audit?action=case.reveal&object_id=${sub.id}`);
  assert.equal(audit.body.items.length, 1);
  assert.equal(audit.body.items[0].user, 'h_water');
});
