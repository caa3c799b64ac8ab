// Import and export of the register: dry run with row/column errors,
// all-or-nothing commit, idempotent re-import, GB18030 and XLSX input,
// masked and revealed exports in the audit log.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, run } from '../lib/server.mjs';
import { seedIdentity } from '../lib/fixtures.mjs';

let srv, town, staff, gw;
before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  town = await seedIdentity(srv);
  staff = await town.login('staff');
  gw = await town.login('grid_worker');
});
after(async () => { await srv.stop(); });

// Check-digit-valid numbers made here, so the test states its data.
function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}
const ids = ['63022319800101001', '63022319820202002', '63022320100303003', '63022319500404005'].map(idNumber);

const csv = (gridA) => [
  '姓名,性别,身份证号,联系电话,住址,网格,与户主关系,标签',
  `马建国,男,${ids[0]},13800000001,西口村1号,${gridA},户主,党员`,
  `韩秀兰,女,${ids[1]},13800000002,西口村1号,${gridA},配偶,`,
  `马小龙,男,${ids[2]},,西口村1号,${gridA},子,`,
  `马福,男,${ids[3]},13800000004,西口村2号,${gridA},户主,独居老人、行动不便`,
].join('\n') + '\n';

const upload = (client, query, body, type = 'text/csv') =>
  client.json(`/api/v1/imports?${query}`, { method: 'POST', body, headers: { 'Content-Type': type } });

test('a dry run reports every problem with its row and column, and writes nothing', async () => {
  const bad = csv(town.areas.gridA)
    .replace(ids[1], ids[1].slice(0, 17) + ((Number(ids[1][17]) + 1) % 10))  // check digit
    .replace('马小龙,男', '马小龙,公')                                      // sex
    .replace(`西口村2号,${town.areas.gridA}`, `西口村2号,${town.areas.gridB}`) // out of scope
    + `马建国二,男,${ids[0]},,西口村3号,${town.areas.gridA},户主,\n`;        // duplicate ID in the file
  const r = await upload(gw, 'dry_run=true', bad);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.rows, 5);
  assert.equal(r.body.valid, 1);
  const errs = r.body.errors.map((e) => `${e.row}:${e.column}`);
  assert.deepEqual(errs, ['3:身份证号', '4:性别', '5:网格', '6:身份证号']);
  assert.match(r.body.errors[3].reason, /row 2/);
  assert.equal(r.body.columns['身份证号'], 'id_number');
  const none = await gw.json(`/api/v1/persons?name=${encodeURIComponent('马')}`);
  assert.equal(none.body.items.length, 0);
  // A commit of the same file is refused whole.
  const commit = await upload(gw, 'dry_run=false', bad);
  assert.equal(commit.status, 422);
  assert.equal(commit.body.error.report.error_count, 4);
  assert.equal((await gw.json(`/api/v1/persons?name=${encodeURIComponent('马')}`)).body.items.length, 0);
});

test('commit, then the same file again: updated, not duplicated', async () => {
  const preview = await upload(gw, 'dry_run=true', csv(town.areas.gridA));
  assert.deepEqual([preview.body.created, preview.body.updated, preview.body.households_created, preview.body.committed], [4, 0, 2, false]);
  const first = await upload(gw, 'dry_run=false', csv(town.areas.gridA));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.created, 4);
  assert.equal(first.body.households_created, 2);
  const preview2 = await upload(gw, 'dry_run=true', csv(town.areas.gridA));
  assert.deepEqual([preview2.body.created, preview2.body.updated, preview2.body.households_created], [0, 4, 0]);
  const again = await upload(gw, 'dry_run=false', csv(town.areas.gridA));
  assert.equal(again.body.created, 0);
  assert.equal(again.body.updated, 4);
  assert.equal(again.body.households_created, 0);
  const people = await gw.json(`/api/v1/persons?name=${encodeURIComponent('马')}`);
  assert.equal(people.body.items.length, 3);
  const head = people.body.items.find((p) => p.name === '马建国');
  assert.equal(head.relation, 'head');
  assert.deepEqual(head.tags, ['party_member']);
  assert.equal(head.id_number, `${ids[0].slice(0, 6)}********${ids[0].slice(14)}`);
  const household = await gw.json(`/api/v1/households/${head.household.id}`);
  assert.equal(household.body.members.length, 3);
  const log = await town.admin.json('/api/v1/audit?action=import.commit');
  assert.equal(log.body.items.length, 2);
});

test('GB18030 files from Chinese Windows are read', async () => {
  const text = '姓名,住址,联系电话\n欧阳娜娜,新华社区5号楼,13911112222\n';
  const gb = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  assert.equal(gb.status, 0);
  assert.notDeepEqual(gb.stdout, Buffer.from(text));
  const r = await upload(gw, `dry_run=false&area=${town.areas.gridA}`, gb.stdout);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.encoding, 'gb18030');
  assert.equal(r.body.created, 1);
  assert.equal((await gw.json(`/api/v1/persons?phone=13911112222`)).body.items[0].name, '欧阳娜娜');
});

test('export: CSV masked, XLSX revealed and audited; the XLSX imports back', async () => {
  const masked = await staff.fetch(`/api/v1/persons/export?format=csv&area=${town.areas.gridA}`);
  assert.equal(masked.status, 200);
  assert.match(masked.headers.get('content-type'), /^text\/csv/);
  const raw = Buffer.from(await masked.arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xEF, 0xBB, 0xBF]); // the BOM Excel needs
  const text = raw.toString('utf8');
  assert.ok(text.startsWith('\uFEFF"姓名"'));
  assert.ok(text.includes('马建国'));
  assert.ok(!text.includes(ids[0]));
  const xlsx = await staff.fetch(`/api/v1/persons/export?format=xlsx&area=${town.areas.gridA}&reveal=true`);
  assert.equal(xlsx.status, 200);
  const bytes = Buffer.from(await xlsx.arrayBuffer());
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
  const commander = await town.login('commander');
  assert.equal((await commander.fetch(`/api/v1/persons/export?format=csv&reveal=true`)).status, 403);
  const log = await town.admin.json('/api/v1/audit?action=person.export');
  assert.equal(log.body.items.length, 2);
  assert.equal(log.body.items[0].summary.reveal, true);
  // The revealed workbook is a register again: re-importing it matches everyone.
  const back = await upload(gw, `dry_run=true&area=${town.areas.gridA}`, bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(back.status, 200, JSON.stringify(back.body));
  assert.equal(back.body.encoding, 'xlsx');
  assert.equal(back.body.error_count, 0, JSON.stringify(back.body.errors));
  const commit = await upload(gw, `dry_run=false&area=${town.areas.gridA}`, bytes, 'application/octet-stream');
  assert.equal(commit.body.created, 0);
  assert.ok(commit.body.updated >= 5);
});

test('the CLI imports too, all or nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wangge-import-'));
  const good = join(dir, 'good.csv');
  const bad = join(dir, 'bad.csv');
  writeFileSync(good, `name,address,grid\n苏东坡,东风路9号,${town.areas.gridA}\n`);
  writeFileSync(bad, `name,address,grid\n苏轼,东风路9号,nowhere\n`);
  const ok = run(['import', good, '--db', srv.db.url]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /1 rows, 1 valid, 0 errors; committed: 1 created/);
  const no = run(['import', bad, '--db', srv.db.url]);
  assert.equal(no.status, 1);
  assert.match(no.stderr, /bad\.csv:2: grid: No such grid in your area/);
  assert.equal(run(['import', '--db', srv.db.url]).status, 2);
  rmSync(dir, { recursive: true });
});

test('a file that is not a table is a clear 422', async () => {
  const r = await upload(gw, 'dry_run=true', 'PK\u0003\u0004garbage', 'application/octet-stream');
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'file');
  const empty = await upload(gw, 'dry_run=true', '');
  assert.equal(empty.status, 422);
  const noName = await upload(gw, 'dry_run=true', 'a,b\n1,2\n');
  assert.match(noName.body.errors[0].reason, /name/);
  assert.equal((await upload(gw, 'dry_run=maybe', 'a')).status, 400);
});

test('households export: CSV within scope, with heads, sizes and tags, audited', async () => {
  const r = await gw.fetch(`/api/v1/households/export?format=csv&area=${town.areas.gridA}`);
  assert.equal(r.status, 200);
  const text = Buffer.from(await r.arrayBuffer()).toString('utf8');
  const line = text.split('\r\n').find((l) => l.startsWith('"西口村1号"'));
  assert.ok(line, text.slice(0, 300));
  assert.match(line, /"马建国","3"/);
  const tagged = text.split('\r\n').find((l) => l.startsWith('"西口村2号"'));
  assert.ok(tagged);
  const x = await gw.fetch('/api/v1/households/export?format=xlsx');
  assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 2).toString(), 'PK');
  assert.equal((await gw.fetch('/api/v1/households/export?format=pdf')).status, 400);
  const log = await town.admin.json('/api/v1/audit?action=household.export');
  assert.equal(log.body.items.length, 2);
});
