// wangge demo: a tiny town (--scale 0.02) built, served and built again.
// The demo users see what their roles and scopes allow, identifiers are
// masked and reveal to check-digit-valid numbers, and a second run changes
// no counts.
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
  first = run(['demo', '--scale', '0.02', '--db', db.url]);
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
  const again = run(['demo', '--scale', '0.02', '--db', db.url]);
  assert.equal(again.status, 0, again.stderr);
  const a = counts(first.stdout);
  const b = counts(again.stdout);
  for (const key of Object.keys(a)) assert.deepEqual(b[key], [a[key][0], 0], key);
  assert.match(again.stdout, new RegExp(`\\(0 new, ${a.persons[0]} updated\\)`));
});

test('--scale outside 0.01..20 is a usage error', () => {
  for (const scale of ['0', '25', 'x', '0.001']) {
    const r = run(['demo', '--scale', scale, '--db', db.url]);
    assert.equal(r.status, 2, `${scale}: ${r.stderr}`);
    assert.match(r.stderr, /--scale/);
  }
});
