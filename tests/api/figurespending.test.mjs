// Migrations 0008 and 0009 fill no figures themselves: on a database that
// already holds cases they leave a recount pending in meta, and whoever
// migrates next runs the one rebuild there is (tallies.c) and clears the
// mark in the same transaction. Here a database with cases goes back to
// schema version 7, then 8, and is upgraded by `wangge serve`; a mark set by
// hand over emptied tallies is taken up by `wangge migrate`; and without a
// mark nothing is recounted.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, run, runSql } from '../lib/server.mjs';
import { seedIdentity, login, ADMIN_PASSWORD, PASSWORD, areas } from '../lib/fixtures.mjs';
import { allFigures } from '../lib/figures.mjs';

const db = freshDatabase();
after(() => db.cleanup());

// Runs SQL on the database while no server holds it; the output, trimmed.
const sql = (text) => runSql(db, text);
const marks = () => sql("SELECT COUNT(*) FROM meta WHERE key = 'case_figures_rebuild_pending'");
const TALLIES = ['case_tallies', 'case_area_tallies', 'case_unit_tallies'];
const tallyRows = () => Number(sql(`SELECT ${TALLIES.map((t) => `(SELECT COUNT(*) FROM ${t})`).join(' + ')}`));
const emptyTallies = TALLIES.map((t) => `DELETE FROM ${t};`).join(' ');

// The figures at every level, seen by viewers signed in to srv.
async function figures(srv) {
  const admin = await login(srv, 'admin', ADMIN_PASSWORD);
  return allFigures([['admin', admin, null], ['county', await login(srv, 'commander', PASSWORD), null],
    ['community', await login(srv, 'staff', PASSWORD), null], ['grid', admin, areas.gridA],
    ['communityB', admin, areas.communityB]]);
}

// Cases in several states, areas, categories and sources.
async function workload(srv, town) {
  const post = (c, path, body) => c.json(path, { method: 'POST', body: JSON.stringify(body) });
  const act = (c, k, action, extra = {}) => post(c, `/api/v1/cases/${k.id}/actions`, { action, version: k.version, ...extra });
  const unit = await post(town.admin, '/api/v1/units', { name: '自来水公司', type: 'department', area_code: areas.town });
  assert.equal(unit.status, 201, JSON.stringify(unit.body));
  let r = await post(town.admin, '/api/v1/users', { login: 'h_water', display_name: 'h_water', role: 'handler', area_code: areas.town, unit_id: unit.body.id, password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const water = await login(srv, 'h_water', PASSWORD);
  const staff = await town.login('staff');
  const intake = async (client, body) => {
    const made = await post(client, '/api/v1/cases', { category: 'water', description: '停水', reporter_phone: '13912345678', ...body });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    return (await client.json(`/api/v1/cases/${made.body.id}`)).body;
  };
  let k = await intake(staff, { area_code: areas.gridA });
  k = (await act(staff, k, 'dispatch', { lead_department: unit.body.id })).body;
  k = (await act(water, k, 'sign')).body;
  k = (await act(water, k, 'resolve', { result: '已修复' })).body;
  assert.equal(k.state, 'resolved');
  k = await intake(staff, { area_code: areas.buildingA, category: 'sanitation', source: 'hotline' });
  k = (await act(staff, k, 'dispatch', { lead_department: unit.body.id })).body;
  assert.equal(k.state, 'dispatched');
  await intake(staff, { area_code: areas.gridA, category: 'inquiry', source: 'hotline', direct_answer: '已告知' });
  await intake(await town.login('staff_b'), { area_code: areas.gridB, source: 'window' });
}

test('a database with cases and no figures is recounted once by whoever migrates it', async () => {
  let srv = await startServer({ db: db.url, args: ['--access_log', 'off'] });
  let kept;
  try {
    const town = await seedIdentity(srv);
    await workload(srv, town);
    kept = await figures(srv);
    assert.equal(kept['admin area'].totals.received, 4);
  } finally {
    await srv.stop();
  }
  // 0008 and 0009 ran on an empty database: nothing to recount.
  assert.equal(marks(), '0');

  // Back to schema version 7, as a town that has cases and has never run
  // 0008. (A migration after 0009 must be undone here too.)
  assert.equal(sql('SELECT MAX(version) FROM schema_version'), '9');
  sql('DROP TABLE case_tallies; DROP TABLE case_area_tallies; DROP TABLE case_unit_tallies;'
    + ' DROP INDEX cases_sign_unreminded; DROP INDEX cases_resolve_unreminded;'
    + ' DELETE FROM schema_version WHERE version >= 8');
  srv = await startServer({ db: db.url, args: ['--access_log', 'off'] });
  try {
    assert.deepEqual(await figures(srv), kept);
    assert.match(srv.stderr(), /applied migration 0008_case_tallies/);
    assert.match(srv.stderr(), /applied migration 0009_case_unit_tallies/);
    assert.match(srv.stderr(), /recounted the case figures/);
  } finally {
    await srv.stop();
  }
  assert.equal(marks(), '0');

  // Back to version 8: the department rows of 0009 are missing, the rest
  // is kept. The recount fills them, and the figures by department are
  // those kept on write.
  sql('DROP TABLE case_unit_tallies; DELETE FROM schema_version WHERE version = 9');
  srv = await startServer({ db: db.url, args: ['--access_log', 'off'] });
  try {
    assert.deepEqual(await figures(srv), kept);
    assert.match(srv.stderr(), /applied migration 0009_case_unit_tallies/);
    assert.match(srv.stderr(), /recounted the case figures/);
  } finally {
    await srv.stop();
  }
  assert.equal(marks(), '0');
  assert.ok(Number(sql('SELECT COUNT(*) FROM case_unit_tallies')) > 0);

  // A mark left by a migration whose recount never committed (a crash):
  // `wangge migrate` recounts, with no migration to apply.
  sql(emptyTallies + " INSERT INTO meta (key, value) VALUES ('case_figures_rebuild_pending', '0008')");
  let r = run(['migrate', '--db', db.url]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /applied 0 migrations/);
  assert.match(r.stderr, /recounted the case figures/);
  assert.equal(marks(), '0');
  assert.ok(tallyRows() > 0);

  // No mark: no recount, however the tables look.
  sql(emptyTallies);
  r = run(['migrate', '--db', db.url]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /recounted/);
  assert.equal(tallyRows(), 0);

  // --rebuild-figures recounts, and the figures are those kept on write.
  r = run(['migrate', '--db', db.url, '--rebuild-figures']);
  assert.equal(r.status, 0, r.stderr);
  srv = await startServer({ db: db.url, args: ['--access_log', 'off'] });
  try {
    assert.deepEqual(await figures(srv), kept);
  } finally {
    await srv.stop();
  }
});
