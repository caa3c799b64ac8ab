// GET /api/v1/stats/cases over HTTP: parameters, scope, the figures of a
// small known set, the fair ranking, CSV and XLSX. The cases are inserted
// by SQL (sqlite3 or psql), so this test needs no intake; the figures'
// aggregates are then recounted with `wangge migrate --rebuild-figures`.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, run, runSql } from '../lib/server.mjs';
import { seedIdentity } from '../lib/fixtures.mjs';

let srv, town, staff, commander;
const H = 3600;
const now = Math.floor(Date.now() / 1000);

const sql = (text) => runSql(srv.db, text);

let seq = 0;
// One case row; fields override the defaults.
function row(f) {
  const c = {
    category: 'water', source: 'resident', state: 'submitted', lead: null, submitted: now - 24 * H,
    sign_due: null, resolve_due: null, signed_late: null, resolved_late: null, resolved_at: null,
    outcome: null, satisfaction: null, merged_into: null, ...f,
  };
  const v = (x) => (x === null ? 'NULL' : typeof x === 'string' ? `'${x}'` : String(x));
  seq++;
  return `('h${seq}', ${v(c.category)}, (SELECT id FROM areas WHERE code = ${v(c.area)}), ${v(c.source)}, ${v(c.state)},`
    + ` 't', 'd', ${c.lead === null ? 'NULL' : `(SELECT id FROM units WHERE name = ${v(c.lead)})`}, ${c.submitted},`
    + ` ${v(c.sign_due)}, ${v(c.resolve_due)}, ${v(c.signed_late)}, ${v(c.resolved_late)}, ${v(c.resolved_at)},`
    + ` ${v(c.outcome)}, ${v(c.satisfaction)}, ${v(c.merged_into)}, ${c.submitted})`;
}
function insert(rows) {
  sql('INSERT INTO cases (follow_hash, category_code, area_id, source, state, title, description, lead_unit_id,'
    + ' submitted_at, sign_due_at, resolve_due_at, signed_late, resolved_late, resolved_at, rating_outcome,'
    + ` satisfaction, merged_into, updated_at) VALUES ${rows.join(', ')}`);
  // Inserted behind the write path's back: recount the figures' aggregates.
  const r = run(['migrate', '--db', srv.db.url, '--rebuild-figures']);
  assert.equal(r.status, 0, r.stderr);
}

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  staff = await town.login('staff');
  commander = await town.login('commander');
  for (const name of ['小单位', '大单位']) {
    const r = await town.admin.json('/api/v1/units', { method: 'POST', body: JSON.stringify({ name, type: 'department', area_code: town.areas.communityA }) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const A = town.areas.gridA, B = town.areas.gridB;
  const done = (lead, late, satisfaction) => row({
    area: A, lead, state: satisfaction ? 'rated' : 'resolved', signed_late: 0, resolved_late: late,
    resolved_at: now - 24 * H + 10 * H, outcome: satisfaction ? 'resolved' : null, satisfaction,
  });
  const rows = [done('小单位', 0, 'satisfied')];
  // 大单位: 95 of 100 good; the 5 others resolved late.
  for (let i = 0; i < 100; i++) rows.push(done('大单位', i < 95 ? 0 : 1, null));
  rows.push(row({ area: A, state: 'dispatched', lead: '大单位', sign_due: now - H })); // unsigned past due
  rows.push(row({ area: A, state: 'closed', merged_into: 1 }));                      // a duplicate
  rows.push(row({ area: B, source: 'hotline' }));                                   // grid B
  rows.push(row({ area: A, submitted: now - 40 * 24 * H }));                        // before the default range
  insert(rows);
});
after(async () => { await srv.stop(); });

// query -> status, error field (null for 200)
const params = [
  ['', 200, null],
  ['?group_by=bogus', 400, 'group_by'],
  ['?group_by=period&period=year', 400, 'period'],
  ['?period=week', 400, 'period'],
  ['?from=2026-02-30', 400, 'from'],
  ['?to=26-01-01', 400, 'to'],
  ['?from=2026-03-01&to=2026-02-01', 400, 'from'],
  ['?from=2023-01-01&to=2026-01-01', 400, 'from'],
  ['?from=2023-01-02&to=2026-01-01', 200, null],
  ['?format=pdf', 400, 'format'],
  ['?colour=red', 400, 'colour'],
  ['?area=nowhere', 404, 'area'],
  ['?area=gridB', 404, 'area'],
  ['?area=gridA&group_by=period&period=week', 200, null],
];
for (const [query, status, field] of params) {
  test(`GET /stats/cases${query} as staff -> ${status} ${field ?? ''}`, async () => {
    const q = query.replace(/area=(grid[AB])/, (_, k) => `area=${town.areas[k]}`);
    const r = await staff.json(`/api/v1/stats/cases${q}`);
    assert.equal(r.status, status, JSON.stringify(r.body));
    if (status !== 200) assert.equal(r.body.error.field, field);
  });
}

test('only staff-like roles may read the figures', async () => {
  for (const role of ['grid_worker', 'handler', 'resident']) {
    const c = await town.login(role);
    assert.equal((await c.json('/api/v1/stats/cases')).status, 403, role);
  }
});

test('figures of the known set, rates null without a denominator, parameters echoed', async () => {
  const r = await staff.json('/api/v1/stats/cases');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const b = r.body;
  assert.equal(b.area.code, town.areas.communityA); // the caller's scope root
  assert.equal(b.group_by, 'area');
  assert.equal(b.period, null);
  assert.match(b.from, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(b.generated_at, /Z$/);
  const t = b.totals;
  assert.equal(t.received, 102); // not the duplicate, not grid B, not the old one
  assert.equal(t.by_state.resolved, 100);
  assert.equal(t.by_state.rated, 1);
  assert.equal(t.by_state.dispatched, 1);
  assert.equal(t.open, 1);
  assert.equal(t.overdue, 1);
  assert.deepEqual(t.response_rate, { rate: 0.9902, numerator: 101, denominator: 102 });
  assert.deepEqual(t.on_time_rate, { rate: 0.9505, numerator: 96, denominator: 101 });
  assert.deepEqual(t.resolution_rate, { rate: 1, numerator: 1, denominator: 1 });
  assert.deepEqual(t.satisfaction_rate, { rate: 1, numerator: 1, denominator: 1 });
  assert.equal(t.avg_handling_hours, 10);
  assert.equal(t.ratings.partly, 0);
  // Children of community A: grid A holds everything.
  assert.deepEqual(b.groups.map((g) => [g.key, g.received]), [[town.areas.gridA, 102]]);
  // Within grid A the building has no case: zero, rates null.
  const g = await staff.json(`/api/v1/stats/cases?area=${town.areas.gridA}`);
  assert.deepEqual(g.body.groups.map((x) => [x.key, x.received, x.self]), [[town.areas.buildingA, 0, false], [town.areas.gridA, 102, true]]);
  const empty = g.body.groups[0];
  for (const k of ['response_rate', 'on_time_rate', 'resolution_rate', 'satisfaction_rate'])
    assert.deepEqual(empty[k], { rate: null, numerator: 0, denominator: 0 }, k);
  assert.equal(empty.avg_handling_hours, null);
});

test('the ranking is fair to small numbers and explains itself', async () => {
  const r = await staff.json('/api/v1/stats/cases?group_by=department');
  const deps = r.body.rankings.departments;
  assert.deepEqual(deps.map((d) => [d.rank, d.name, d.n, d.good]), [[1, '大单位', 101, 95], [2, '小单位', 1, 1]]);
  assert.equal(deps[1].score, 0.2065);
  assert.equal(deps[1].rate, 1);
  assert.ok(deps[0].score > 0.87 && deps[0].score < 0.89, String(deps[0].score));
  assert.match(r.body.rankings.method.zh, /威尔逊/);
  assert.match(r.body.rankings.method.en, /Wilson/);
  assert.deepEqual(r.body.rankings.grids.map((x) => [x.code, x.n]), [[town.areas.gridA, 102]]);
  assert.deepEqual(r.body.groups.map((x) => [x.name, x.received]), [['大单位', 101], ['小单位', 1], [null, 0]].filter((x) => x[1]));
  // The commander sees grid B's case too; its grid has no outcome to rank.
  const c = await commander.json('/api/v1/stats/cases?group_by=source');
  assert.equal(c.body.totals.received, 103);
  assert.deepEqual(c.body.groups.map((x) => [x.key, x.received]), [['hotline', 1], ['resident', 102]]);
  assert.deepEqual(c.body.rankings.grids.map((x) => x.code), [town.areas.gridA]);
});

test('periods: every day of the range, weeks from Monday', async () => {
  const day = (t) => new Date((t + 8 * H) * 1000).toISOString().slice(0, 10);
  const r = await staff.json(`/api/v1/stats/cases?group_by=period&period=day&from=${day(now - 3 * 24 * H)}&to=${day(now)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.period, 'day');
  assert.equal(r.body.groups.length, 4);
  assert.equal(r.body.groups.find((g) => g.key === day(now - 24 * H)).received, 102);
  const w = await staff.json('/api/v1/stats/cases?group_by=period&period=week&from=2026-01-01&to=2026-01-31');
  assert.deepEqual(w.body.groups.map((g) => [g.key, g.from, g.to]),
    [['2025-12-29', '2026-01-01', '2026-01-04'], ['2026-01-05', '2026-01-05', '2026-01-11'], ['2026-01-12', '2026-01-12', '2026-01-18'],
      ['2026-01-19', '2026-01-19', '2026-01-25'], ['2026-01-26', '2026-01-26', '2026-01-31']]);
  const m = await staff.json('/api/v1/stats/cases?group_by=period&period=month&from=2025-12-15&to=2026-02-01');
  assert.deepEqual(m.body.groups.map((g) => g.key), ['2025-12', '2026-01', '2026-02']);
});

test('CSV with a BOM and Chinese headers; XLSX', async () => {
  const r = await staff.fetch('/api/v1/stats/cases?format=csv&group_by=category');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="case-stats-category-.*\.csv"/);
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
  assert.match(lines[0], /^"编码","名称","受理量",.*"及时签收率","按时办结率","解决率","部分解决","满意率"/);
  assert.match(lines[1], /^"","合计",102,/);
  assert.match(lines[1], /,99\.02%,95\.05%,100\.00%,0,100\.00%,10\.0,0$/);
  assert.match(lines[2], /^"water","供水",102,/);
  const x = await staff.fetch('/api/v1/stats/cases?format=xlsx');
  assert.equal(x.status, 200);
  const xb = Buffer.from(await x.arrayBuffer());
  assert.equal(xb.subarray(0, 2).toString(), 'PK');
});
