// Sessions, CSRF, throttling, tokens, password changes and the audit log.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, run } from '../lib/server.mjs';
import { login, ADMIN_PASSWORD } from '../lib/fixtures.mjs';

let srv, admin;
const json = { 'Content-Type': 'application/json' };
const post = (path, body, headers = {}) => fetch(srv.url + path, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });

before(async () => {
  srv = await startServer();
  const init = run(['init', '--db', srv.db.url], { input: `${ADMIN_PASSWORD}\n` });
  assert.equal(init.status, 0, init.stderr);
  admin = await login(srv, 'admin', ADMIN_PASSWORD);
});
after(async () => { await srv.stop(); });

test('init is idempotent and a generated password is printed once', () => {
  const again = run(['init', '--db', srv.db.url], { input: '' });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /admin 'admin' exists already/);
  const other = run(['init', '--db', srv.db.url, '--admin-login', 'chief'], { input: '' });
  assert.equal(other.status, 0, other.stderr);
  assert.match(other.stdout, /admin 'chief' created; password \(shown once\): \S{20}/);
});

test('the session cookie is HttpOnly, SameSite=Strict, and log-in answers who you are', async () => {
  const res = await post('/api/v1/session', { login: 'admin', password: ADMIN_PASSWORD });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^wg_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/);
  const body = await res.json();
  assert.equal(body.user.login, 'admin');
  assert.equal(body.user.role, 'admin');
  assert.equal(body.user.area.code, '000000');
  assert.match(body.csrf_token, /^[\w-]{43}$/);
  assert.ok(body.permissions.includes('audit.read'));
  assert.equal(body.user.password_hash, undefined);
});

test('who am I, and 401 without a session or with a forged one', async () => {
  const me = await admin.json('/api/v1/session');
  assert.equal(me.status, 200);
  assert.equal(me.body.scope.code, '000000');
  assert.equal(me.body.csrf_token, admin.csrf);
  assert.equal((await fetch(`${srv.url}/api/v1/session`)).status, 401);
  const forged = await fetch(`${srv.url}/api/v1/session`, { headers: { Cookie: `wg_session=${'A'.repeat(43)}` } });
  assert.equal(forged.status, 401);
  assert.equal((await forged.json()).error.code, 'unauthorized');
});

test('cookie-authenticated writes need the CSRF token; reads do not', async () => {
  const body = JSON.stringify({ name: '城管局', type: 'department', area_code: '000000' });
  const without = await fetch(`${srv.url}/api/v1/units`, { method: 'POST', headers: { ...json, Cookie: admin.cookie }, body });
  assert.equal(without.status, 403);
  assert.equal((await without.json()).error.code, 'csrf_failed');
  const wrong = await fetch(`${srv.url}/api/v1/units`, { method: 'POST', headers: { ...json, Cookie: admin.cookie, 'X-CSRF-Token': 'x'.repeat(43) }, body });
  assert.equal(wrong.status, 403);
  const right = await admin.json('/api/v1/units', { method: 'POST', body });
  assert.equal(right.status, 201);
  const read = await fetch(`${srv.url}/api/v1/units`, { headers: { Cookie: admin.cookie } });
  assert.equal(read.status, 200);
});

test('wrong passwords and unknown logins get the same answer', async () => {
  const a = await post('/api/v1/session', { login: 'admin', password: 'not the password' });
  const b = await post('/api/v1/session', { login: 'nobody-here', password: 'not the password' });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.deepEqual(await a.json(), await b.json());
});

test('brute force gets 429 with a growing Retry-After; other logins are unaffected', async () => {
  const made = await admin.json('/api/v1/users', { method: 'POST', body: JSON.stringify({ login: 'victim', display_name: '受害者', role: 'staff', area_code: '000000', password: 'victim-password-1' }) });
  assert.equal(made.status, 201);
  const statuses = [];
  const retry = [];
  for (let i = 0; i < 8; i++) {
    const res = await post('/api/v1/session', { login: 'victim', password: `guess-${i}-wrong` });
    statuses.push(res.status);
    if (res.status === 429) {
      retry.push(Number(res.headers.get('retry-after')));
      assert.equal((await res.json()).error.code, 'too_many_requests');
    } else await res.arrayBuffer();
    if (res.status === 429) await new Promise((r) => setTimeout(r, retry.at(-1) * 1000 + 50));
  }
  // Five free guesses, then each guess waits 1 s, 2 s, ...
  assert.deepEqual(statuses.slice(0, 6), [401, 401, 401, 401, 401, 401]);
  assert.ok(statuses.includes(429), statuses.join(','));
  assert.ok(retry.every((s) => s >= 1 && s <= 900));
  // One more wrong guess re-arms the lock however long the loop took on a
  // busy machine (its last wait may have let the lock run out)...
  await (await post('/api/v1/session', { login: 'victim', password: 'guess-last-wrong' })).arrayBuffer();
  // ...and even the right password waits while locked...
  const locked = await post('/api/v1/session', { login: 'victim', password: 'victim-password-1' });
  assert.equal(locked.status, 429);
  // ...but the admin can still sign in meanwhile.
  assert.equal((await post('/api/v1/session', { login: 'admin', password: ADMIN_PASSWORD })).status, 200);
});

test('a new password or disabling a user ends their sessions', async () => {
  await admin.json('/api/v1/users', { method: 'POST', body: JSON.stringify({ login: 'worker2', display_name: '网格员二', role: 'grid_worker', area_code: '000000', password: 'first-password-2' }) });
  const w = await login(srv, 'worker2', 'first-password-2');
  assert.equal((await w.json('/api/v1/session')).status, 200);
  const list = await admin.json('/api/v1/users?q=worker2');
  const id = list.body.items[0].id;
  const weak = await admin.json(`/api/v1/users/${id}`, { method: 'PATCH', body: JSON.stringify({ password: 'worker2' }) });
  assert.equal(weak.status, 422);
  assert.equal(weak.body.error.field, 'password');
  const same = await admin.json(`/api/v1/users/${id}`, { method: 'PATCH', body: JSON.stringify({ password: 'WORKER2' }) });
  assert.equal(same.status, 422);
  assert.equal((await admin.json(`/api/v1/users/${id}`, { method: 'PATCH', body: JSON.stringify({ password: 'second-password-2' }) })).status, 200);
  assert.equal((await w.json('/api/v1/session')).status, 401);
  const w2 = await login(srv, 'worker2', 'second-password-2');
  assert.equal((await admin.json(`/api/v1/users/${id}`, { method: 'PATCH', body: JSON.stringify({ active: false }) })).status, 200);
  assert.equal((await w2.json('/api/v1/session')).status, 401);
  const again = await post('/api/v1/session', { login: 'worker2', password: 'second-password-2' });
  assert.equal(again.status, 401);
  // The CLI can enable and reset too.
  assert.equal(run(['user', 'enable', '--login', 'worker2', '--db', srv.db.url]).status, 0);
  assert.equal(run(['user', 'passwd', '--login', 'worker2', '--password-stdin', '--db', srv.db.url], { input: 'third-password-3\n' }).status, 0);
  await login(srv, 'worker2', 'third-password-3');
});

test('log-out ends the session and clears the cookie', async () => {
  const s = await login(srv, 'admin', ADMIN_PASSWORD);
  const out = await s.fetch('/api/v1/session', { method: 'DELETE' });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /^wg_session=; .*Max-Age=0/);
  assert.equal((await s.json('/api/v1/session')).status, 401);
});

test('bearer tokens: created by the CLI, scoped, no CSRF, revocable', async () => {
  const made = run(['token', 'create', '--name', 'sms-gateway', '--role', 'commander', '--area', '000000', '--db', srv.db.url]);
  assert.equal(made.status, 0, made.stderr);
  const token = made.stdout.trim();
  assert.match(token, /^[\w-]{43}$/);
  const auth = { Authorization: `Bearer ${token}` };
  const me = await fetch(`${srv.url}/api/v1/session`, { headers: auth });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).user.role, 'commander');
  const write = await fetch(`${srv.url}/api/v1/units`, { method: 'POST', headers: { ...json, ...auth }, body: JSON.stringify({ name: '卫健局', type: 'department', area_code: '000000' }) });
  assert.equal(write.status, 201);
  const list = run(['token', 'list', '--db', srv.db.url]);
  assert.match(list.stdout, /sms-gateway\tcommander\t000000\tactive/);
  assert.doesNotMatch(list.stdout, new RegExp(token));
  const id = list.stdout.split('\t')[0];
  assert.equal(run(['token', 'revoke', '--id', id, '--db', srv.db.url]).status, 0);
  // The revocation comes from another process: the server remembers a
  // caller for at most 2 s (docs/operations.md), then asks the database.
  const revokedAt = Date.now();
  let status;
  while ((status = (await fetch(`${srv.url}/api/v1/session`, { headers: auth })).status) === 200 && Date.now() - revokedAt < 3000)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(status, 401, 'revoked within the cache\'s 2 s');
  assert.equal((await fetch(`${srv.url}/healthz`, { headers: { Authorization: 'Bearer nonsense' } })).status, 200);
});

test('the CLI: usage errors exit 2, runtime failures 1', () => {
  assert.equal(run(['user']).status, 2);
  assert.equal(run(['user', 'frob']).status, 2);
  assert.equal(run(['user', 'add', '--login', 'x', '--db', srv.db.url]).status, 2);
  assert.equal(run(['user', 'add', '--login', 'x', '--role', 'resident', '--area', '000000', '--db', srv.db.url]).status, 2);
  const weak = run(['user', 'add', '--login', 'clerk', '--role', 'resident', '--area', '000000', '--password-stdin', '--db', srv.db.url], { input: 'short\n' });
  assert.equal(weak.status, 1);
  assert.match(weak.stderr, /password: The password must have at least 10 characters/);
  const ok = run(['user', 'add', '--login', 'clerk', '--role', 'resident', '--area', '000000', '--name', '办事员', '--password-stdin', '--db', srv.db.url], { input: 'clerk-password-1\n' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(run(['user', 'list', '--db', srv.db.url]).stdout, /^clerk\tresident\t000000\tactive\t办事员$/m);
  assert.equal(run(['user', 'disable', '--login', 'ghost', '--db', srv.db.url]).status, 1);
  assert.equal(run(['user', '--help']).status, 0);
});

test('every write is in the audit log with its request id; no API changes it', async () => {
  const res = await admin.fetch('/api/v1/units', { method: 'POST', body: JSON.stringify({ name: '水务局', type: 'department', area_code: '000000' }), headers: { 'X-Request-Id': 'audit-check-42' } });
  assert.equal(res.status, 201);
  const unit = await res.json();
  const log = await admin.json(`/api/v1/audit?object_type=unit&object_id=${unit.id}`);
  assert.equal(log.status, 200);
  assert.equal(log.body.items.length, 1);
  const e = log.body.items[0];
  assert.equal(e.request_id, 'audit-check-42');
  assert.equal(e.action, 'unit.create');
  assert.equal(e.user, 'admin');
  assert.equal(e.address, '127.0.0.1');
  assert.equal(e.summary.name, '水务局');
  const actions = (await admin.json('/api/v1/audit?limit=500')).body.items.map((i) => i.action);
  for (const a of ['session.login', 'session.login_failed', 'session.logout', 'user.create', 'user.update', 'token.create', 'token.revoke'])
    assert.ok(actions.includes(a), `audit has ${a}`);
  // Revealing a phone is audited; the list masks it.
  const made = await admin.json('/api/v1/users', { method: 'POST', body: JSON.stringify({ login: 'phoned', display_name: '有电话', role: 'resident', area_code: '000000', password: 'phoned-password', phone: '13912345678' }) });
  assert.equal(made.body.phone, '139****5678');
  const shown = await admin.json(`/api/v1/users/${made.body.id}?reveal=phone`);
  assert.equal(shown.body.phone, '13912345678');
  const reveal = await admin.json(`/api/v1/audit?action=user.reveal&object_id=${made.body.id}`);
  assert.equal(reveal.body.items.length, 1);
  for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'])
    assert.equal((await admin.fetch('/api/v1/audit', { method, body: method === 'DELETE' ? undefined : '{}' })).status, 405);
  const since = await admin.json('/api/v1/audit?since=2999-01-01T00:00:00Z');
  assert.deepEqual(since.body.items, []);
  assert.equal((await admin.json('/api/v1/audit?since=yesterday')).status, 400);
});

test('pagination: limit and cursor walk the whole list once', async () => {
  const seen = new Set();
  let cursor = null, pages = 0;
  do {
    const r = await admin.json(`/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    for (const u of r.body.items) { assert.ok(!seen.has(u.id)); seen.add(u.id); }
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor && pages < 50);
  const all = await admin.json('/api/v1/users?limit=500');
  assert.equal(seen.size, all.body.items.length);
  assert.equal((await admin.json('/api/v1/users?limit=501')).status, 400);
  assert.equal((await admin.json('/api/v1/users?cursor=abc')).status, 400);
});

test('behind TLS: the cookie is Secure and HSTS is sent', async () => {
  const tls = await startServer({ db: srv.db.url.startsWith('sqlite:') ? undefined : undefined, args: ['--behind_tls', 'on'] });
  const init = run(['init', '--db', tls.db.url], { input: `${ADMIN_PASSWORD}\n` });
  assert.equal(init.status, 0, init.stderr);
  const res = await fetch(`${tls.url}/api/v1/session`, { method: 'POST', headers: json, body: JSON.stringify({ login: 'admin', password: ADMIN_PASSWORD }) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('set-cookie'), /; Secure$/);
  assert.match(res.headers.get('strict-transport-security'), /max-age=\d+/);
  await tls.stop();
});

test('behind a trusted proxy, the client address comes from X-Real-IP / X-Forwarded-For', async () => {
  const proxied = await startServer({ args: ['--trusted_proxy', '127.0.0.1'] });
  const init = run(['init', '--db', proxied.db.url], { input: `${ADMIN_PASSWORD}\n` });
  assert.equal(init.status, 0, init.stderr);
  const a = await login(proxied, 'admin', ADMIN_PASSWORD);
  // Two failures "from" 203.0.113.7 and one from 198.51.100.9 (X-Forwarded-For, last hop wins).
  const fail = (headers) => fetch(`${proxied.url}/api/v1/session`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify({ login: 'admin', password: 'not the password' }) });
  await fail({ 'X-Real-IP': '203.0.113.7' });
  await fail({ 'X-Forwarded-For': '10.0.0.1, 198.51.100.9' });
  await fail({ 'X-Real-IP': 'not-an-address' });
  const log = (await a.json('/api/v1/audit?action=session.login_failed')).body.items.map((e) => e.address).sort();
  assert.deepEqual(log, ['127.0.0.1', '198.51.100.9', '203.0.113.7']);
  await proxied.stop();
  // Without the setting, the headers are not believed.
  const r = await fetch(`${srv.url}/api/v1/session`, { method: 'POST', headers: { ...json, 'X-Real-IP': '203.0.113.99' }, body: JSON.stringify({ login: 'nobody', password: 'not the password' }) });
  assert.equal(r.status, 401);
  const mine = (await admin.json('/api/v1/audit?action=session.login_failed&limit=1')).body.items[0];
  assert.equal(mine.address, '127.0.0.1');
});

test('managers cannot take over a peer of the same rank and area', async () => {
  const mk = (login) => admin.json('/api/v1/users', { method: 'POST', body: JSON.stringify({ login, display_name: login, role: 'staff', area_code: '000000', password: `${login}-password-1` }) });
  const a = await mk('peer-a');
  const b = await mk('peer-b');
  assert.equal(a.status, 201);
  const pa = await login(srv, 'peer-a', 'peer-a-password-1');
  const takeover = await pa.json(`/api/v1/users/${b.body.id}`, { method: 'PATCH', body: JSON.stringify({ password: 'taken-over-123' }) });
  assert.equal(takeover.status, 403);
  const self = await pa.json(`/api/v1/users/${a.body.id}`, { method: 'PATCH', body: JSON.stringify({ display_name: '自己' }) });
  assert.equal(self.status, 200);
});
