// Key rotation: every sealed field re-keyed, still readable and findable.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, run, freshDatabase, backend } from '../lib/server.mjs';
import { seedIdentity, login, ADMIN_PASSWORD } from '../lib/fixtures.mjs';

const ID = '11010519491231002X';

test('keys rotate re-keys rows; after a restart they reveal and match as before', async () => {
  // A key file of its own: rotating the one other tests share would change
  // the keys under their feet.
  const dir = mkdtempSync(join(tmpdir(), 'wangge-keys-'));
  const env = { WANGGE_KEY_FILE: join(dir, 'test.key') };
  const db = freshDatabase();
  let srv = await startServer({ db: db.url, env });
  const town = await seedIdentity(srv, env);
  const made = await town.admin.json('/api/v1/persons', { method: 'POST', body: JSON.stringify({ name: '周玉兰', area_code: town.areas.gridA, id_number: ID, phone: '13700001111' }) });
  assert.equal(made.status, 201);
  const reported = await fetch(`${srv.url}/api/v1/public/cases`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ category: 'help', area_code: town.areas.gridA, description: '请回电', reporter_phone: '13900002222' }) });
  assert.equal(reported.status, 201);
  const caseId = (await reported.json()).id;
  await srv.stop();
  if (backend === 'sqlite') {
    const keyFile = env.WANGGE_KEY_FILE;
    assert.equal(statSync(keyFile).mode & 0o077, 0, 'the key file is private');
    assert.doesNotMatch(readFileSync(db.path).toString('latin1'), /11010519491231002X|13700001111|13900002222/, 'no plaintext in the database file');
  }
  const r1 = run(['keys', 'rotate', '--db', db.url], { env });
  assert.equal(r1.status, 0, r1.stderr);
  assert.match(r1.stdout, /key version 2 added/);
  assert.match(r1.stdout, /2 rows re-keyed/, 'the person and the case reporter');
  srv = await startServer({ db: db.url, env });
  const admin = await login(srv, 'admin', ADMIN_PASSWORD);
  const found = await admin.json(`/api/v1/persons?id_number=${ID}`);
  assert.equal(found.body.items.length, 1);
  const shown = await admin.json(`/api/v1/persons/${made.body.id}?reveal=id_number,phone`);
  assert.equal(shown.body.id_number, ID);
  assert.equal(shown.body.phone, '13700001111');
  const c = await admin.json(`/api/v1/cases/${caseId}?reveal=phone`);
  assert.equal(c.body.reporter.phone, '13900002222');
  await srv.stop();
  const r2 = run(['keys', 'rotate', '--db', db.url], { env });
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stdout, /2 rows re-keyed/, 'every sealed row moves to the newest key each time');
  db.cleanup();
  rmSync(dir, { recursive: true });
});
