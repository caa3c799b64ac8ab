// wangge demo: a tiny town (--scale 0.02) built, served and built again.
// The demo users see what their roles and scopes allow, identifiers are
// masked and reveal to check-digit-valid numbers, the cases (--cases 200)
// fill the inboxes and the figures with consistent timelines, a second
// run changes no counts (it adds no rules, and no cases to a town that has
// as many), and a larger --cases tops the town up.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, freshDatabase, startServer } from '../lib/server.mjs';
import { login } from '../lib/fixtures.mjs';

const TOWN = '630223100';
const GRID = '630223100001-01'; // 新华社区第1网格: the demo's grid worker's
let db, srv, first;

// The summary's counts: {areas, households, persons, units, users} -> [total, new].
function counts(stdout) {
  const out = {};
  for (const key of ['areas', 'households', 'persons', 'units', 'users']) {
    const m = stdout.match(new RegExp(`^  ${key}\\s+(\\d+)\\s+\\((\\d+) new`, 'm'));
    assert.ok(m, `no ${key} line in:\n${stdout}`);
    out[key] = [Number(m[1]), Number(m[2])];
  }
  return out;
}

// GB 11643: the 18th character from the first 17 digits.
function checkChar(id) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * w[i];
  return '10X98765432'[sum % 11];
}

// Every item of a list, following next_cursor.
async function all(client, path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await client.json(`${path}${sep}limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  return items;
}

before(async () => {
  db = freshDatabase();
  first = run(['demo', '--scale', '0.02', '--cases', '200', '--db', db.url]);
  assert.equal(first.status, 0, first.stderr);
  srv = await startServer({ db: db.url, args: ['--access_log', 'off'] });
});
after(async () => {
  await srv.stop();
  db.cleanup();
});

test('the summary: 462 areas, 600 households, about 2,000 persons, 20 units, 9 users, all new', () => {
  const c = counts(first.stdout);
  assert.deepEqual(c.areas, [462, 462]);
  assert.deepEqual(c.households, [600, 600]);
  assert.ok(c.persons[0] > 1700 && c.persons[0] < 2400, `persons ${c.persons[0]}`);
  assert.equal(c.persons[1], c.persons[0]);
  assert.deepEqual(c.units, [20, 20]);
  assert.deepEqual(c.users, [9, 9]);
  assert.match(first.stdout, /grid\s+\/ demo-grid_worker-pass/);
  assert.match(first.stdout, /admin\s+\/ demo-admin-pass/);
});

test('the grid worker sees the households of their grid only', async () => {
  const grid = await login(srv, 'grid', 'demo-grid_worker-pass');
  const items = await all(grid, '/api/v1/households');
  assert.ok(items.length > 0, 'no households in the grid');
  for (const h of items) {
    assert.ok(h.area.code === GRID || h.area.code.startsWith(`${GRID}-`), `${h.area.code} outside ${GRID}`);
    assert.match(h.address, /^新华社区\d+号楼\d单元\d+$/);
    assert.ok(h.member_count >= 1 && h.member_count <= 7);
    assert.ok(h.head_name.length >= 2);
  }
});

test('the commander counts persons in each of the 10 villages and communities', async () => {
  const commander = await login(srv, 'commander', 'demo-commander-pass');
  const r = await commander.json(`/api/v1/stats/register?area=${TOWN}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.children.length, 10);
  for (const v of r.body.children) {
    assert.equal(v.level, 'community');
    assert.ok(v.households > 0 && v.persons > 0, JSON.stringify(v));
  }
  assert.deepEqual(r.body.children.map((v) => v.name).slice(0, 3), ['新华社区', '西口社区', '东沟村']);
});

test('every ID number and phone is masked; a reveal gives a valid number that agrees with sex and birth', async () => {
  const admin = await login(srv, 'admin', 'demo-admin-pass');
  const persons = await all(admin, '/api/v1/persons');
  assert.equal(persons.length, counts(first.stdout).persons[0]);
  for (const p of persons) {
    assert.match(p.id_number, /^6[1-4]\d{4}\*{8}\d{3}[\dX]$/, JSON.stringify(p));
    assert.match(p.phone, /^(|1\d{2}\*{4}\d{4})$/);
  }
  const tags = new Set(persons.flatMap((p) => p.tags));
  for (const t of ['party_member', 'volunteer', 'other_province']) assert.ok(tags.has(t), `no ${t} at all`);
  const grid = await login(srv, 'grid', 'demo-grid_worker-pass');
  const mine = await grid.json('/api/v1/persons?limit=5');
  assert.ok(mine.body.items.length > 0);
  for (const p of mine.body.items) {
    const r = await grid.json(`/api/v1/persons/${p.id}?reveal=id_number`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const id = r.body.id_number;
    assert.equal(id.length, 18);
    assert.equal(id[17], checkChar(id), id);
    assert.equal(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, p.birth_date);
    assert.equal(Number(id[16]) % 2 ? 'M' : 'F', p.sex);
  }
});

test('a second run creates nothing and leaves the counts as they were', async () => {
  const again = run(['demo', '--scale', '0.02', '--cases', '200', '--db', db.url]);
  assert.equal(again.status, 0, again.stderr);
  const a = counts(first.stdout);
  const b = counts(again.stdout);
  for (const key of Object.keys(a)) assert.deepEqual(b[key], [a[key][0], 0], key);
  assert.match(again.stdout, new RegExp(`\\(0 new, ${a.persons[0]} updated\\)`));
  assert.match(again.stdout, /^  rules\s+14\s+\(0 new\)$/m);
  assert.match(again.stdout, /^  cases\s+200\s+\(0 new: the town had cases/m);
});

// ---- cases ----

const iso = (t) => (t === null ? null : Date.parse(t));

test('the summary counts the rules and the cases', () => {
  assert.match(first.stdout, /^  rules\s+14\s+\(14 new\)$/m);
  const m = first.stdout.match(/^  cases\s+(\d+)\s+\((\d+) new; (\d+) open, (\d+) of them overdue, (\d+) resolved, (\d+) closed/m);
  assert.ok(m, first.stdout);
  assert.deepEqual([Number(m[1]), Number(m[2])], [200, 200]);
  assert.equal(Number(m[3]) + Number(m[5]) + Number(m[6]), 200);
  assert.ok(Number(m[6]) > 100, 'most cases closed');
});

test('the demo staff has new cases to dispatch; the handler has cases of its department', async () => {
  const staff = await login(srv, 'staff', 'demo-staff-pass');
  const r = await staff.json('/api/v1/cases?inbox=dispatch');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.items.length > 0, 'empty dispatch inbox');
  for (const c of r.body.items) assert.ok(c.area.code.startsWith(`${TOWN}001`), JSON.stringify(c.area));
  const handler = await login(srv, 'handler', 'demo-handler-pass');
  const all = await handler.json('/api/v1/cases?limit=5');
  assert.equal(all.status, 200, JSON.stringify(all.body));
});

test("the commander's figures count the demo cases with rates", async () => {
  const commander = await login(srv, 'commander', 'demo-commander-pass');
  const from = new Date(Date.now() - 95 * 86400e3).toISOString().slice(0, 10);
  const r = await commander.json(`/api/v1/stats/cases?area=${TOWN}&from=${from}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const t = r.body.totals;
  // Merged duplicates are not counted as received.
  assert.ok(t.received > 180 && t.received <= 200, JSON.stringify(t));
  for (const k of ['response_rate', 'on_time_rate', 'resolution_rate', 'satisfaction_rate'])
    assert.notEqual(t[k].rate, null, k);
  assert.ok(t.satisfaction_rate.rate > 0.5, JSON.stringify(t.satisfaction_rate));
});

test('demo cases are consistent: timelines end in the state, dues follow the dispatch', async () => {
  const commander = await login(srv, 'commander', 'demo-commander-pass');
  const items = await all(commander, `/api/v1/cases?area=${TOWN}`);
  assert.equal(items.length, 200);
  const states = new Set(items.map((c) => c.state));
  for (const s of ['closed', 'signed', 'submitted']) assert.ok(states.has(s), `no ${s} case`);
  for (const item of items.filter((_, i) => i % 10 === 0)) {
    const r = await commander.json(`/api/v1/cases/${item.id}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const c = r.body;
    const tl = c.timeline;
    assert.equal(tl[0].action, 'submit');
    assert.equal(tl.at(-1).to, c.state, `case ${c.id}`);
    assert.equal(c.version, tl.length, `case ${c.id}`);
    for (let i = 1; i < tl.length; i++) {
      assert.equal(tl[i].from, tl[i - 1].to, `case ${c.id} step ${i}`);
      assert.ok(iso(tl[i].at) >= iso(tl[i - 1].at), `case ${c.id} step ${i}`);
    }
    if (c.dispatched_at) {
      assert.ok(iso(c.dispatched_at) >= iso(c.submitted_at));
      assert.ok(iso(c.sign_due_at) > iso(c.dispatched_at), `case ${c.id}`);
    }
    if (c.signed_at) {
      assert.ok(iso(c.signed_at) >= iso(c.dispatched_at));
      assert.ok(iso(c.resolve_due_at) > iso(c.signed_at), `case ${c.id}`);
      assert.equal(c.signed_late === null, false);
    }
    if (c.state === 'closed' && c.rating) assert.ok(iso(c.closed_at) >= iso(c.rating.at));
  }
});

test('--scale outside 0.01..20 and --cases outside 0..10,000,000 are usage errors', () => {
  for (const scale of ['0', '25', 'x', '0.001']) {
    const r = run(['demo', '--scale', scale, '--db', db.url]);
    assert.equal(r.status, 2, `${scale}: ${r.stderr}`);
    assert.match(r.stderr, /--scale/);
  }
  for (const cases of ['-1', 'x', '10000001', '1.5']) {
    const r = run(['demo', '--scale', '0.02', '--cases', cases, '--db', db.url]);
    assert.equal(r.status, 2, `${cases}: ${r.stderr}`);
    assert.match(r.stderr, /--cases/);
  }
});

test('a larger --cases adds only the missing cases', async () => {
  const more = run(['demo', '--scale', '0.02', '--cases', '260', '--db', db.url]);
  assert.equal(more.status, 0, more.stderr);
  assert.match(more.stdout, /^  cases\s+260\s+\(60 new;/m);
  const commander = await login(srv, 'commander', 'demo-commander-pass');
  const from = new Date(Date.now() - 95 * 86400e3).toISOString().slice(0, 10);
  const r = await commander.json(`/api/v1/stats/cases?area=${TOWN}&from=${from}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.totals.received > 230 && r.body.totals.received <= 260, JSON.stringify(r.body.totals));
  const fewer = run(['demo', '--scale', '0.02', '--cases', '100', '--db', db.url]);
  assert.equal(fewer.status, 0, fewer.stderr);
  assert.match(fewer.stdout, /^  cases\s+260\s+\(0 new: the town had cases/m);
});
