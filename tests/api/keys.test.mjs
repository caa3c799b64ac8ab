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
  await srv.stop();
  if (backend === 'sqlite') {
    const keyFile = env.WANGGE_KEY_FILE;
    assert.equal(statSync(keyFile).mode & 0o077, 0, 'the key file is private');
    assert.doesNotMatch(readFileSync(db.path).toString('latin1'), /11010519491231002X|13700001111/, 'no plaintext in the database file');
  }
  const r1 = run(['keys', 'rotate', '--db', db.url], { env });
  assert.equal(r1.status, 0, r1.stderr);
  assert.match(r1.stdout, /key version 2 added/);
  assert.match(r1.stdout, /1 rows re-keyed/);
  srv = await startServer({ db: db.url, env });
  const admin = await login(srv, 'admin', ADMIN_PASSWORD);
  const found = await admin.json(`/api/v1/persons?id_number=${ID}`);
  assert.equal(found.body.items.length, 1);
  const shown = await admin.json(`/api/v1/persons/${made.body.id}?reveal=id_number,phone`);
  assert.equal(shown.body.id_number, ID);
  assert.equal(shown.body.phone, '13700001111');
  await srv.stop();
  db.cleanup();
  rmSync(dir, { recursive: true });
});
