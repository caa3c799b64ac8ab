// The register over HTTP: validation, sealed and masked identifiers,
// audited reveal, search, households, versions, counts.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { seedIdentity } from '../lib/fixtures.mjs';

let srv, town, staff, gw;
const ID_M = '11010519491231002X'; // a check-digit-valid test number (1949-12-31, female)
before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  staff = await town.login('staff');
  gw = await town.login('grid_worker');
});
after(async () => { await srv.stop(); });

const post = (c, path, body) => c.json(path, { method: 'POST', body: JSON.stringify(body) });

// person body -> expected status, field
const rows = [
  [{ name: '张三', area_code: 'gridA' }, 201, null],
  [{ name: '', area_code: 'gridA' }, 422, 'name'],
  [{ name: '张三', area_code: 'gridA', id_number: '110105194912310021' }, 422, 'id_number'], // check digit
  [{ name: '张三', area_code: 'gridA', id_number: '11010519490230002X' }, 422, 'id_number'], // 30 February
  [{ name: '张三', area_code: 'gridA', id_number: '99010519491231002X' }, 422, 'id_number'], // region
  [{ name: '张三', area_code: 'gridA', id_number: ID_M, sex: 'M' }, 422, 'sex'],
  [{ name: '张三', area_code: 'gridA', id_number: ID_M, birth_date: '1949-12-30' }, 422, 'birth_date'],
  [{ name: '张三', area_code: 'gridA', phone: '12812345678' }, 422, 'phone'],
  [{ name: '张三', area_code: 'gridA', relation: 'cousin' }, 422, 'relation'],
  [{ name: '张三', area_code: 'gridA', tags: ['no_such_tag'] }, 422, 'tags'],
  [{ name: '张三', area_code: 'gridA', tags: ['poverty_watch'] }, 422, 'tags'], // a household tag
  [{ name: '张三', area_code: 'gridA', birth_date: '2999-01-01' }, 422, 'birth_date'],
  [{ name: '张三', area_code: 'gridA', id_type: 'passport', id_number: 'E12345678' }, 201, null],
  [{ name: '张三', area_code: 'gridA', id_type: 'ration_book', id_number: '1' }, 422, 'id_type'],
  [{ name: '张三' }, 422, 'area_code'],
  [{ name: '张三', area_code: 'gridB' }, 422, 'area_code'],
];
for (const [body, status, field] of rows) {
  test(`POST /persons ${JSON.stringify(body)} -> ${status} ${field ?? ''}`, async () => {
    const b = { ...body };
    if (b.area_code) b.area_code = town.areas[b.area_code];
    const r = await post(staff, '/api/v1/persons', b);
    assert.equal(r.status, status, JSON.stringify(r.body));
    if (field) assert.equal(r.body.error.field, field);
  });
}

test('identifiers are masked, derived fields filled, and a reveal is audited', async () => {
  const r = await post(gw, '/api/v1/persons', { name: '李秀英', area_code: town.areas.gridA, id_number: ID_M.toLowerCase(), phone: '+86 138-1234-5678', tags: ['elderly_alone', 'party_member'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.id_number, '110105********002X');
  assert.equal(r.body.phone, '138****5678');
  assert.equal(r.body.sex, 'F');
  assert.equal(r.body.birth_date, '1949-12-31');
  assert.deepEqual(r.body.tags, ['elderly_alone', 'party_member']);
  assert.doesNotMatch(JSON.stringify(r.body), /19491231002X|13812345678/);
  const shown = await gw.json(`/api/v1/persons/${r.body.id}?reveal=id_number,phone`);
  assert.equal(shown.body.id_number, ID_M);
  assert.equal(shown.body.phone, '13812345678');
  const commander = await town.login('commander');
  const denied = await commander.json(`/api/v1/persons/${r.body.id}?reveal=phone`);
  assert.equal(denied.status, 403);
  const audit = await town.admin.json(`/api/v1/audit?action=person.reveal&object_id=${r.body.id}`);
  assert.equal(audit.body.items.length, 1);
  assert.equal(audit.body.items[0].user, 'grid_worker');
  assert.doesNotMatch(JSON.stringify(audit.body), /19491231002X|13812345678/);
  // The same ID again in scope is a duplicate.
  const dup = await post(gw, '/api/v1/persons', { name: '李秀英', area_code: town.areas.gridA, id_number: ID_M });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.field, 'id_number');
});

test('search: name prefix, exact ID and phone through their hashes, address, tag, status', async () => {
  const h = await post(staff, '/api/v1/households', { area_code: town.areas.gridA, address: '东风路18号3单元', tags: ['poverty_watch'] });
  assert.equal(h.status, 201);
  const p = await post(staff, '/api/v1/persons', { name: '欧阳修远', household_id: h.body.id, relation: 'head', phone: '13900001111' });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const q = async (query) => (await staff.json(`/api/v1/persons?${query}`)).body.items.map((x) => x.name);
  assert.ok((await q(`name=${encodeURIComponent('欧阳')}`)).includes('欧阳修远'));
  assert.ok(!(await q(`name=${encodeURIComponent('欧阳x')}`)).includes('欧阳修远'));
  assert.deepEqual(await q('phone=139-0000-1111'), ['欧阳修远']);
  assert.deepEqual(await q(`id_number=${ID_M.toLowerCase()}`), ['李秀英']);
  assert.deepEqual(await q(`address=${encodeURIComponent('3单元')}`), ['欧阳修远']);
  assert.ok((await q('tag=elderly_alone')).includes('李秀英'));
  assert.equal((await staff.json('/api/v1/persons?status=gone')).status, 400);
  assert.equal((await staff.json('/api/v1/persons?colour=red')).status, 400);
  const hh = await staff.json(`/api/v1/households/${h.body.id}`);
  assert.equal(hh.body.members.length, 1);
  assert.equal(hh.body.head_name, '欧阳修远');
  assert.deepEqual(hh.body.tags, ['poverty_watch']);
  const byTag = await staff.json('/api/v1/households?tag=poverty_watch');
  assert.deepEqual(byTag.body.items.map((x) => x.id), [h.body.id]);
});

test('versions: a stale change is refused with 409; status changes keep a history', async () => {
  const p = await post(gw, '/api/v1/persons', { name: '赵四', area_code: town.areas.gridA, id_number: '610102198001010015' });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const ok = await gw.json(`/api/v1/persons/${p.body.id}`, { method: 'PATCH', body: JSON.stringify({ name: '赵四海', version: 1 }) });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.version, 2);
  assert.equal(ok.body.id_number, p.body.id_number); // kept, still masked
  assert.equal(ok.body.sex, 'M');
  const stale = await gw.json(`/api/v1/persons/${p.body.id}`, { method: 'PATCH', body: JSON.stringify({ name: '赵四', version: 1 }) });
  assert.equal(stale.status, 409);
  const wrongSex = await gw.json(`/api/v1/persons/${p.body.id}`, { method: 'PATCH', body: JSON.stringify({ name: '赵四', sex: 'F', version: 2 }) });
  assert.equal(wrongSex.status, 422);
  const moved = await gw.json(`/api/v1/persons/${p.body.id}/status`, { method: 'POST', body: JSON.stringify({ status: 'moved_out', note: '迁往外省' }) });
  assert.equal(moved.status, 200);
  assert.equal(moved.body.status, 'moved_out');
  const full = await gw.json(`/api/v1/persons/${p.body.id}`);
  assert.equal(full.body.status_history.length, 1);
  assert.equal(full.body.status_history[0].note, '迁往外省');
  const revealed = await gw.json(`/api/v1/persons/${p.body.id}?reveal=id_number`);
  assert.equal(revealed.body.id_number, '610102198001010015');
});

test('counts per grid within scope', async () => {
  const r = await staff.json(`/api/v1/stats/register?area=${town.areas.communityA}`);
  assert.equal(r.status, 200);
  const grid = r.body.children.find((c) => c.code === town.areas.gridA);
  assert.ok(grid.persons >= 3);
  assert.ok(grid.households >= 1);
  assert.equal(r.body.persons, r.body.children.reduce((s, c) => s + c.persons, 0) + 0 * r.body.persons || r.body.persons);
  const mine = await staff.json('/api/v1/stats/register');
  assert.equal(mine.body.area.code, town.areas.communityA);
  assert.equal((await gw.json(`/api/v1/stats/register?area=${town.areas.communityB}`)).status, 404);
  const tags = await gw.json('/api/v1/tags');
  assert.ok(tags.body.items.some((t) => t.code === 'party_member' && t.name_zh === '党员'));
});

test('units: contact and a roster of persons with the party-member count', async () => {
  const unit = await post(staff, '/api/v1/units', { name: '东风社区卫生站', type: 'unit', area_code: town.areas.communityA, contact_name: '刘站长', contact_phone: '029-87654321' });
  assert.equal(unit.status, 201, JSON.stringify(unit.body));
  assert.equal(unit.body.contact_name, '刘站长');
  const a = await post(staff, '/api/v1/persons', { name: '护士甲', area_code: town.areas.gridA, tags: ['party_member'] });
  const b = await post(staff, '/api/v1/persons', { name: '护士乙', area_code: town.areas.gridA });
  for (const p of [a, b]) assert.equal((await post(staff, `/api/v1/units/${unit.body.id}/members`, { person_id: p.body.id, position: '护士' })).status, 201);
  const roster = await staff.json(`/api/v1/units/${unit.body.id}/members`);
  assert.equal(roster.body.member_count, 2);
  assert.equal(roster.body.party_member_count, 1);
  assert.equal(roster.body.items[0].position, '护士');
  const gone = await staff.json(`/api/v1/units/${unit.body.id}/members/${b.body.id}`, { method: 'DELETE' });
  assert.equal(gone.status, 204);
  assert.equal((await staff.json(`/api/v1/units/${unit.body.id}/members`)).body.member_count, 1);
  const outsider = await post(town.admin, '/api/v1/persons', { name: '外人', area_code: town.areas.gridB });
  const refused = await post(staff, `/api/v1/units/${unit.body.id}/members`, { person_id: outsider.body.id });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.field, 'person_id');
});

test('the tag list is configurable by admins, and new tags work in the register', async () => {
  const made = await post(town.admin, '/api/v1/tags', { code: 'veteran', name_zh: '退役军人', name_en: 'Veteran', applies_to: 'person' });
  assert.equal(made.status, 201);
  assert.equal((await post(town.admin, '/api/v1/tags', { code: 'veteran', name_zh: 'x', name_en: 'x', applies_to: 'person' })).status, 409);
  assert.equal((await post(town.admin, '/api/v1/tags', { code: 'Bad Code', name_zh: 'x', name_en: 'x', applies_to: 'person' })).status, 422);
  assert.equal((await staff.json('/api/v1/tags', { method: 'POST', body: '{}' })).status, 403);
  const renamed = await town.admin.json('/api/v1/tags/veteran', { method: 'PATCH', body: JSON.stringify({ name_en: 'Military veteran' }) });
  assert.equal(renamed.status, 200);
  const p = await post(gw, '/api/v1/persons', { name: '老兵', area_code: town.areas.gridA, tags: ['veteran'] });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const r = await upload(gw, `dry_run=true&area=${town.areas.gridA}`, '姓名,标签\n老兵二,退役军人\n');
  assert.equal(r.body.error_count, 0, JSON.stringify(r.body.errors));
});

const upload = (client, query, body) => client.json(`/api/v1/imports?${query}`, { method: 'POST', body, headers: { 'Content-Type': 'text/csv' } });

test('review fixes: a change cannot copy another person\'s ID number; unit contacts are masked; exports keep people without a household', async () => {
  const idA = '110105195001010018';
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const valid = (s17) => s17 + '10X98765432'[[...s17].reduce((s, c, i) => s + Number(c) * w[i], 0) % 11];
  const first = await post(staff, '/api/v1/persons', { name: '甲某', area_code: town.areas.gridA, id_number: valid(idA.slice(0, 17)) });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const second = await post(staff, '/api/v1/persons', { name: '乙某', area_code: town.areas.gridA });
  const copy = await staff.json(`/api/v1/persons/${second.body.id}`, { method: 'PATCH', body: JSON.stringify({ name: '乙某', version: 1, id_number: valid(idA.slice(0, 17)) }) });
  assert.equal(copy.status, 409);
  assert.equal(copy.body.error.field, 'id_number');
  const unit = await post(staff, '/api/v1/units', { name: '联系人测试', type: 'unit', area_code: town.areas.communityA, contact_phone: '13987654321' });
  assert.equal(unit.body.contact_phone, '139****4321');
  const csv = Buffer.from(await (await staff.fetch(`/api/v1/persons/export?format=csv&name=${encodeURIComponent('乙某')}`)).arrayBuffer()).toString('utf8');
  assert.match(csv, /"乙某"/);
  const formula = await post(staff, '/api/v1/persons', { name: '=HYPERLINK("x")', area_code: town.areas.gridA });
  assert.equal(formula.status, 201);
  const csv2 = Buffer.from(await (await staff.fetch(`/api/v1/persons/export?format=csv&area=${town.areas.gridA}`)).arrayBuffer()).toString('utf8');
  assert.ok(csv2.includes(`"'=HYPERLINK(""x"")"`), 'a formula is exported as text');
});
