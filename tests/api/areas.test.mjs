// The area tree over HTTP: lists, reads, the four writes and their audit
// entries, the scope rules (out of scope reads as missing), and the CLI's
// add, list and import. Tables state request -> expected status and body.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, run, freshDatabase } from '../lib/server.mjs';
import { seedIdentity } from '../lib/fixtures.mjs';

let srv, town, admin, staff, commander, gw;
let seq = 0;
const uniq = (p) => `${p}${process.pid % 1000}-${++seq}`;
const RING = [[108.9, 34.2], [108.91, 34.2], [108.91, 34.21], [108.9, 34.2]];
const POLYGON = { type: 'Polygon', coordinates: [RING] };
const body = (o) => ({ method: 'POST', body: JSON.stringify(o) });
const patch = (o) => ({ method: 'PATCH', body: JSON.stringify(o) });
const del = { method: 'DELETE' };

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  admin = town.admin;
  [staff, commander, gw] = await Promise.all([town.login('staff'), town.login('commander'), town.login('grid_worker')]);
});
after(async () => { await srv.stop(); });

// A fresh area made by the admin: its code.
async function make(parent, level, extra = {}) {
  const code = uniq(level[0]);
  const r = await admin.json('/api/v1/areas', body({ code, name: `${level} ${code}`, level, parent_code: parent, ...extra }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return code;
}

test('without a parent the list is the caller\'s scope root, which hides what is above it', async () => {
  const a = town.areas;
  const rows = [
    [admin, { code: a.root, level: 'root', parent_code: null }],
    [commander, { code: a.county, level: 'county', parent_code: null }],
    [staff, { code: a.communityA, level: 'community', parent_code: null }],
    [gw, { code: a.gridA, level: 'grid', parent_code: null }],
  ];
  for (const [client, want] of rows) {
    const r = await client.json('/api/v1/areas');
    assert.equal(r.status, 200);
    assert.equal(r.body.next_cursor, null);
    assert.equal(r.body.items.length, 1);
    assert.deepEqual({ code: r.body.items[0].code, level: r.body.items[0].level, parent_code: r.body.items[0].parent_code }, want);
    assert.deepEqual(Object.keys(r.body.items[0]).sort(), ['child_count', 'code', 'has_geometry', 'level', 'name', 'parent_code']);
  }
});

test('children come in pages ordered by id, the cursor being the last id', async () => {
  const a = town.areas;
  const all = await admin.json(`/api/v1/areas?parent=${a.town}`);
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.items.map((x) => x.code), [a.communityA, a.communityB]);
  assert.equal(all.body.items[0].parent_code, a.town);
  const first = await admin.json(`/api/v1/areas?parent=${a.town}&limit=1`);
  assert.deepEqual(first.body.items.map((x) => x.code), [a.communityA]);
  assert.match(first.body.next_cursor, /^\d+$/);
  const second = await admin.json(`/api/v1/areas?parent=${a.town}&limit=1&cursor=${first.body.next_cursor}`);
  assert.deepEqual(second.body.items.map((x) => x.code), [a.communityB]);
  const third = await admin.json(`/api/v1/areas?parent=${a.town}&limit=1&cursor=${second.body.next_cursor}`);
  assert.deepEqual(third.body, { items: [], next_cursor: null });
  const bad = await admin.json(`/api/v1/areas?parent=${a.town}&sort=code`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'unknown_parameter');
});

test('an area reads with its outline and its ancestors from the scope root down', async () => {
  const a = town.areas;
  const rows = [
    [admin, a.gridA, [a.root, a.city, a.county, a.town, a.communityA]],
    [commander, a.gridA, [a.county, a.town, a.communityA]],
    [staff, a.gridA, [a.communityA]],
    [staff, a.communityA, []],
  ];
  for (const [client, code, chain] of rows) {
    const r = await client.json(`/api/v1/areas/${code}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.code, code);
    assert.equal(r.body.geojson, null);
    assert.deepEqual(r.body.ancestors.map((x) => x.code), chain);
    for (const x of r.body.ancestors) assert.deepEqual(Object.keys(x).sort(), ['code', 'level', 'name']);
  }
});

test('out of scope answers exactly as missing, on every route', async () => {
  const b = town.areas.communityB;
  const pairs = [
    [`/api/v1/areas/${b}`, {}],
    [`/api/v1/areas/${b}`, patch({ name: '改名' })],
    [`/api/v1/areas/${b}/move`, body({ parent_code: town.areas.communityA })],
    [`/api/v1/areas/${b}`, del],
  ];
  for (const [path, init] of pairs) {
    const out = await staff.json(path, init);
    const missing = await staff.json(path.replace(b, 'no-such-area'), init);
    assert.equal(out.status, 404, path);
    assert.deepEqual(out.body, missing.body, path);
    assert.deepEqual(out.body, { error: { code: 'not_found', message: 'Not found', field: null } });
  }
  const listOut = await staff.json(`/api/v1/areas?parent=${b}`);
  const listMissing = await staff.json('/api/v1/areas?parent=no-such-area');
  assert.equal(listOut.status, 404);
  assert.deepEqual(listOut.body, listMissing.body);
  assert.equal(listOut.body.error.field, 'parent');
  // As a parent for a new area, out of scope is the same 422 as missing.
  const p1 = await staff.json('/api/v1/areas', body({ code: uniq('x'), name: 'x', level: 'grid', parent_code: b }));
  const p2 = await staff.json('/api/v1/areas', body({ code: uniq('x'), name: 'x', level: 'grid', parent_code: 'no-such-area' }));
  assert.equal(p1.status, 422);
  assert.deepEqual(p1.body, p2.body);
});

test('create: 201 with the Area, the outline kept', async () => {
  const code = uniq('g');
  const r = await staff.json('/api/v1/areas', body({ code, name: '第三网格', level: '网格', parent_code: town.areas.communityA, geojson: POLYGON }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body, { code, name: '第三网格', level: 'grid', parent_code: town.areas.communityA, child_count: 0, has_geometry: true });
  const read = await staff.json(`/api/v1/areas/${code}`);
  assert.deepEqual(read.body.geojson, POLYGON);
  const parent = await staff.json(`/api/v1/areas/${town.areas.communityA}`);
  assert.ok(parent.body.child_count >= 2);
});

test('create refuses bad input with the field at fault', async () => {
  const A = town.areas.communityA;
  const ok = { name: '网格', level: 'grid', parent_code: A };
  const rows = [
    // body                                                        status code              field
    [{ ...ok, code: 'a b' },                                        422, 'invalid_value',   'code'],
    [{ ...ok, code: 'x'.repeat(49) },                               422, 'invalid_value',   'code'],
    [{ ...ok },                                                     422, 'missing_field',   'code'],
    [{ ...ok, code: uniq('x'), name: '' },                          422, 'invalid_value',   'name'],
    [{ ...ok, code: uniq('x'), name: '区'.repeat(65) },              422, 'invalid_value',   'name'],
    [{ ...ok, code: uniq('x'), level: 'metropolis' },               422, 'invalid_value',   'level'],
    [{ ...ok, code: uniq('x'), level: 'community' },                422, 'invalid_value',   'level'],
    [{ ...ok, code: uniq('x'), level: 'root' },                     422, 'invalid_value',   'level'],
    [{ ...ok, code: uniq('x'), parent_code: town.areas.town },      422, 'invalid_value',   'parent_code'], // a sibling of the scope root
    [{ ...ok, code: uniq('x'), parent_code: undefined },            422, 'missing_field',   'parent_code'],
    [{ ...ok, code: uniq('x'), geojson: { type: 'Point', coordinates: [1, 2] } }, 422, 'invalid_value', 'geojson'],
    [{ ...ok, code: uniq('x'), geojson: { type: 'Polygon', coordinates: [[[1, 2]]] } }, 422, 'invalid_value', 'geojson'],
    [{ ...ok, code: uniq('x'), geojson: [1, 2] },                   422, 'invalid_type',    'geojson'],
    [{ ...ok, code: uniq('x'), colour: 'red' },                     422, 'unknown_field',   'colour'],
    [{ ...ok, code: town.areas.gridB },                             409, 'conflict',        'code'], // codes are unique over the tree
    [{ ...ok, code: town.areas.gridA },                             409, 'conflict',        'code'],
  ];
  for (const [b, status, code, field] of rows) {
    const r = await staff.json('/api/v1/areas', body(b));
    const where = `${JSON.stringify(b).slice(0, 80)} -> ${JSON.stringify(r.body)}`;
    assert.equal(r.status, status, where);
    assert.equal(r.body.error.code, code, where);
    assert.equal(r.body.error.field, field, where);
  }
});

test('update: rename, set and clear the outline; never the own scope root', async () => {
  const code = await make(town.areas.communityA, 'grid');
  const rows = [
    // body                              status  check
    [{ name: '新名字' },                  200,    (b) => b.name === '新名字' && b.has_geometry === false],
    [{ geojson: POLYGON },                200,    (b) => b.has_geometry === true && b.name === '新名字'],
    [{},                                  200,    (b) => b.has_geometry === true],
    [{ geojson: null },                   200,    (b) => b.has_geometry === false],
    [{ name: '' },                        422,    (b) => b.error.field === 'name'],
    [{ name: 'x'.repeat(65) },            422,    (b) => b.error.field === 'name'],
    [{ geojson: { type: 'LineString', coordinates: RING } }, 422, (b) => b.error.field === 'geojson'],
    [{ code: 'other' },                   422,    (b) => b.error.code === 'unknown_field'],
  ];
  for (const [b, status, check] of rows) {
    const r = await staff.json(`/api/v1/areas/${code}`, patch(b));
    assert.equal(r.status, status, `${JSON.stringify(b)} -> ${JSON.stringify(r.body)}`);
    assert.ok(check(r.body), `${JSON.stringify(b)} -> ${JSON.stringify(r.body)}`);
  }
  const own = await staff.json(`/api/v1/areas/${town.areas.communityA}`, patch({ name: '自己' }));
  assert.equal(own.status, 403);
  assert.equal(own.body.error.code, 'forbidden');
  const above = await commander.json(`/api/v1/areas/${town.areas.communityA}`, patch({ name: '东风社区' }));
  assert.equal(above.status, 200);
});

test('move: the whole subtree follows; refusals name parent_code', async () => {
  const a = town.areas;
  const c = await make(a.town, 'community');
  const g = await make(c, 'grid');
  const bld = await make(g, 'building');
  // staff (community A) cannot see g yet
  assert.equal((await staff.json(`/api/v1/areas/${bld}`)).status, 404);
  const moved = await commander.json(`/api/v1/areas/${g}/move`, body({ parent_code: a.communityA }));
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(moved.body.parent_code, a.communityA);
  assert.equal(moved.body.child_count, 1);
  const seen = await staff.json(`/api/v1/areas/${bld}`);
  assert.equal(seen.status, 200);
  assert.deepEqual(seen.body.ancestors.map((x) => x.code), [a.communityA, g]);
  const rows = [
    // who        code            new parent        status  error             field
    [staff,       a.communityA,   a.communityA,     403,    'forbidden',      null], // own scope root
    [staff,       g,              a.communityB,     422,    'invalid_value',  'parent_code'], // out of scope
    [staff,       g,              'no-such-area',   422,    'invalid_value',  'parent_code'],
    [admin,       g,              bld,              422,    'invalid_value',  'parent_code'], // into its own subtree
    [admin,       g,              g,                422,    'invalid_value',  'parent_code'],
    [admin,       g,              a.gridB,          422,    'invalid_value',  'parent_code'], // a grid in a grid
    [admin,       a.root,         a.city,           403,    'forbidden',      null],
  ];
  for (const [who, code, parent, status, error, field] of rows) {
    const r = await who.json(`/api/v1/areas/${code}/move`, body({ parent_code: parent }));
    const where = `${code} -> ${parent}: ${JSON.stringify(r.body)}`;
    assert.equal(r.status, status, where);
    assert.equal(r.body.error.code, error, where);
    assert.equal(r.body.error.field, field, where);
  }
  // The community left behind is empty: it can go, audit entries or not.
  assert.equal((await admin.json(`/api/v1/areas/${c}`, del)).status, 204);
});

test('delete: 204 for an empty area; 409 area_not_empty while children or data remain; 403 for the own scope root', async () => {
  const a = town.areas;
  const c = await make(a.town, 'community');
  const g = await make(c, 'grid');
  const rows = [
    // who        code            status  error
    [staff,       a.communityA,   403,    'forbidden'],
    [admin,       c,              409,    'area_not_empty'], // a child
    [admin,       a.gridB,        409,    'area_not_empty'], // users stand there
    [admin,       a.root,         403,    'forbidden'],
    [admin,       g,              204,    null],
    [admin,       g,              404,    'not_found'],
    [admin,       c,              204,    null], // its child's entries do not pin it
  ];
  for (const [who, code, status, error] of rows) {
    const r = await who.json(`/api/v1/areas/${code}`, del);
    assert.equal(r.status, status, `${code}: ${JSON.stringify(r.body)}`);
    if (error) assert.equal(r.body.error.code, error);
    else assert.equal(r.body, null);
  }
  const unitArea = await make(a.communityB, 'grid');
  const unit = await admin.json('/api/v1/units', body({ name: uniq('驻区单位'), type: 'unit', area_code: unitArea }));
  assert.equal(unit.status, 201);
  const pinned = await admin.json(`/api/v1/areas/${unitArea}`, del);
  assert.equal(pinned.status, 409);
  assert.equal(pinned.body.error.code, 'area_not_empty');
  assert.equal((await admin.json(`/api/v1/areas/${unitArea}`)).status, 200);
});

test('every write leaves one audit entry in its transaction', async () => {
  const code = await make(town.areas.communityA, 'grid');
  await admin.json(`/api/v1/areas/${code}`, patch({ name: '审计网格' }));
  await admin.json(`/api/v1/areas/${code}/move`, body({ parent_code: town.areas.communityB }));
  await admin.json(`/api/v1/areas/${code}/move`, body({ parent_code: 'no-such-area' })); // refused: no entry
  await admin.json(`/api/v1/areas/${code}`, del);
  const r = await admin.json(`/api/v1/audit?object_type=area&object_id=${code}`);
  assert.equal(r.status, 200);
  const entries = r.body.items.reverse(); // oldest first
  assert.deepEqual(entries.map((e) => e.action), ['area.create', 'area.update', 'area.move', 'area.delete']);
  for (const e of entries) {
    assert.equal(e.user, 'admin');
    assert.equal(e.object_type, 'area');
    assert.equal(e.object_id, code);
  }
  assert.equal(entries[0].summary.parent, town.areas.communityA);
  assert.equal(entries[1].summary.name, '审计网格');
  assert.deepEqual([entries[2].summary.from, entries[2].summary.to], [town.areas.communityA, town.areas.communityB]);
});

test('wangge area list prints code, level, name and children', () => {
  const r = run(['area', 'list', '--parent', town.areas.town, '--db', srv.db.url]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(lines[0].slice(0, 2), [town.areas.communityA, 'community']);
  assert.ok(lines.every((l) => l.length === 4 && /^\d+$/.test(l[3])));
  const roots = run(['area', 'list', '--db', srv.db.url]);
  assert.match(roots.stdout, /^000000\troot\t全域\t1\n$/);
});

test('wangge area: add and import, all or nothing, errors as FILE:LINE', () => {
  const db = freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'wangge-areas-'));
  try {
    const usage = [
      [['area'], 2, /a subcommand is needed/],
      [['area', 'frob'], 2, /unknown subcommand 'frob'/],
      [['area', 'add', '--code', 'x', '--db', db.url], 2, /--name is needed/],
      [['area', 'add', '--code', 'a b', '--name', 'n', '--level', 'city', '--db', db.url], 2, /--code: A code is/],
      [['area', 'import', '--db', db.url], 2, /a FILE to import is needed/],
    ];
    for (const [args, status, pattern] of usage) {
      const r = run(args);
      assert.equal(r.status, status, args.join(' '));
      assert.match(r.stderr.trim().split('\n').pop(), pattern);
    }
    const root = run(['area', 'add', '--code', '000000', '--name', '全域', '--level', 'root', '--db', db.url]);
    assert.equal(root.status, 0, root.stderr);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'code,name,level,parent_code\n610100,西安市,city,000000\n610102,新城区,county,610100\n610102001,街道,county,610102\n');
    const r = run(['area', 'import', bad, '--db', db.url]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.csv:4: level 'county': A county cannot lie within a county/);
    assert.equal(run(['area', 'list', '--parent', '000000', '--db', db.url]).stdout, '', 'nothing written');
    const good = join(dir, 'good.csv');
    // children before parents, quotes, CRLF, a byte-order mark, a rename of the root
    writeFileSync(good, '\ufeffcode,name,level,parent_code\r\n610102,"新城区",区,610100\r\n610100,"西安市, 陕西",市,000000\r\n000000,全国,root,\r\n');
    const ok = run(['area', 'import', good, '--db', db.url]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /2 created, 1 updated, 0 unchanged/);
    assert.equal(run(['area', 'list', '--db', db.url]).stdout, '000000\troot\t全国\t1\n');
    assert.equal(run(['area', 'list', '--parent', '000000', '--db', db.url]).stdout, '610100\tcity\t西安市, 陕西\t1\n');
    const geo = join(dir, 'grids.geojson');
    writeFileSync(geo, JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { code: 'T1', name: '街道', level: 'town', parent_code: '610102' }, geometry: POLYGON },
      { type: 'Feature', properties: { code: 'T2', name: '街道二', level: 'town', parent_code: '610102' }, geometry: { type: 'Point', coordinates: [1, 2] } },
    ] }));
    const g = run(['area', 'import', geo, '--db', db.url]);
    assert.equal(g.status, 1);
    assert.match(g.stderr, /grids\.geojson:features\[1\]: geojson: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    db.cleanup();
  }
});
