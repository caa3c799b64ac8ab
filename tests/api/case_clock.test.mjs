// Case clocks on the working calendar, end to end: deadlines set at dispatch
// and signing across the 2026 Mid-Autumn holiday and its make-up workday,
// overdue cases reminded by the timer and surfacing in supervision on time,
// unrated cases closed after the configured days. The server's clock is set
// with WANGGE_FAKE_NOW; each phase restarts it on the same database.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD, areas } from '../lib/fixtures.mjs';

const db = freshDatabase();
let srv, ids = {}, unit;

async function at(instant) {
  if (srv) await srv.stop();
  srv = await startServer({ db: db.url, args: ['--access_log', 'off'], env: { WANGGE_FAKE_NOW: instant } });
  return srv;
}
const post = (c, path, body) => c.json(path, { method: 'POST', body: JSON.stringify(body) });
const act = (c, id, version, action, extra = {}) => post(c, `/api/v1/cases/${id}/actions`, { action, version, ...extra });
async function submit(staff, description) {
  const r = await post(staff, '/api/v1/cases', { source: 'window', category: 'water', area_code: areas.gridA, description });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}
// The fake clock runs on from its start, so a deadline counted from "now"
// lands a little after the round instant.
function near(actual, expected, what) {
  const d = Date.parse(actual) - Date.parse(expected);
  assert.ok(d >= 0 && d < 180000, `${what}: ${actual}, expected just after ${expected}`);
}
async function until(fn, what) {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  // Thursday 2026-09-24 09:00 in China; Friday 25th to Sunday 27th are the
  // Mid-Autumn holiday, Monday 28th a working day.
  await at('2026-09-24T01:00:00Z');
});
after(async () => { if (process.env.SHOW_STDERR) console.log(srv.stderr()); await srv.stop(); db.cleanup(); });

test('deadlines: 4 working hours to sign, 3 working days to resolve, across the holiday', async () => {
  const town = await seedIdentity(srv);
  const r = await post(town.admin, '/api/v1/units', { name: '自来水公司', type: 'department', area_code: areas.town });
  unit = r.body.id;
  await post(town.admin, '/api/v1/users', { login: 'h_water', display_name: '水务', role: 'handler', area_code: areas.town, unit_id: unit, password: PASSWORD });
  const staff = await town.login('staff');
  const water = await login(srv, 'h_water', PASSWORD);

  ids.signed = await submit(staff, '停水');
  let c = (await act(staff, ids.signed, 1, 'dispatch', { lead_department: unit })).body;
  // 09:00 + 4 working hours = 09:00-12:00 and 13:30-14:30.
  near(c.sign_due_at, '2026-09-24T06:30:00Z', 'sign due');
  c = (await act(water, ids.signed, c.version, 'sign')).body;
  // Thursday + 3 working days, skipping the holiday: Mon 28, Tue 29, Wed 30 → 17:30 on the 30th.
  assert.equal(c.resolve_due_at, '2026-09-30T09:30:00Z');

  ids.unsigned = await submit(staff, '水压不足');
  c = (await act(staff, ids.unsigned, 1, 'dispatch', { lead_department: unit })).body;
  near(c.sign_due_at, '2026-09-24T06:30:00Z', 'sign due');
  assert.equal(c.overdue, false);
  const sup = await staff.json('/api/v1/cases?inbox=supervision');
  assert.ok(!sup.body.items.some((i) => i.id === ids.unsigned), 'not near its deadline yet (4 working hours left)');

  ids.resolved = await submit(staff, '水表漏水');
  c = (await act(staff, ids.resolved, 1, 'dispatch', { lead_department: unit })).body;
  c = (await act(water, ids.resolved, c.version, 'sign')).body;
  c = (await act(water, ids.resolved, c.version, 'resolve', { result: '已更换水表' })).body;
  assert.equal(c.state, 'resolved');
});

test('an unsigned case past its deadline is reminded by the timer and leads supervision', async () => {
  // 15:05 the same Thursday: past the sign deadline.
  await at('2026-09-24T07:05:00Z');
  const commander = await login(srv, 'commander', PASSWORD);
  await until(async () => {
    const c = (await commander.json(`/api/v1/cases/${ids.unsigned}`)).body;
    return c.timeline.some((e) => e.action === 'remind' && e.party === 'system');
  }, 'the automatic reminder');
  const c = (await commander.json(`/api/v1/cases/${ids.unsigned}`)).body;
  assert.equal(c.overdue, true);
  assert.equal(c.reminders, 1);
  const sup = await commander.json('/api/v1/cases?inbox=supervision');
  assert.equal(sup.status, 200);
  assert.equal(sup.body.items[0].id, ids.unsigned, 'overdue first');
  assert.equal(sup.body.items[0].overdue, true);
  assert.ok(!sup.body.items.some((i) => i.id === ids.signed), 'the signed case is not due until the 30th');
  const counts = (await commander.json('/api/v1/cases/inboxes')).body;
  assert.ok(counts.supervision.total >= 1);
});

test('over the holiday nothing more falls due; on the last working afternoon the signed case is near', async () => {
  // Sunday 27th, a holiday: the signed case is not near (its deadline is
  // three working days away), the unsigned one was reminded only once.
  await at('2026-09-27T04:00:00Z');
  const staff = await login(srv, 'staff', PASSWORD);
  await new Promise((r) => setTimeout(r, 500));
  let sup = (await staff.json('/api/v1/cases?inbox=supervision')).body.items.map((i) => i.id);
  assert.ok(!sup.includes(ids.signed));
  assert.equal((await staff.json(`/api/v1/cases/${ids.unsigned}`)).body.reminders, 1, 'one reminder per deadline');
  // Wednesday 30th 16:00: an hour and a half before 17:30: near.
  await at('2026-09-30T08:00:00Z');
  const s2 = await login(srv, 'staff', PASSWORD);
  sup = (await s2.json('/api/v1/cases?inbox=supervision')).body.items;
  const near = sup.find((i) => i.id === ids.signed);
  assert.ok(near, 'near its deadline');
  assert.equal(near.overdue, false);
});

test('a resolved case nobody rates is closed after the configured days', async () => {
  await at('2026-10-12T02:00:00Z');
  const staff = await login(srv, 'staff', PASSWORD);
  await until(async () => (await staff.json(`/api/v1/cases/${ids.resolved}`)).body.state === 'closed', 'the automatic close');
  const c = (await staff.json(`/api/v1/cases/${ids.resolved}`)).body;
  const last = c.timeline.at(-1);
  assert.equal(last.action, 'close');
  assert.equal(last.party, 'system');
});
