// The outbound webhook: signed deliveries to a receiver on 127.0.0.1,
// retries with back-off, the delivery log and the outbox, a retry by hand,
// and a prompt shutdown with a delivery in flight.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startServer, freshDatabase, run } from '../lib/server.mjs';
import { login, ADMIN_PASSWORD } from '../lib/fixtures.mjs';

const SECRET = 'webhook-test-secret-0123456789';

// What a receiver does: recompute the HMAC over "<t>.<raw body>" with the
// shared secret, compare in constant time, refuse a t more than 5 minutes
// away from its clock (a replay), and dedupe on X-Wangge-Delivery.
function verify(headers, raw) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers['x-wangge-signature'] || '');
  if (!m) return false;
  if (Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return false;
  const want = createHmac('sha256', SECRET).update(`${m[1]}.${raw}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2], 'hex'));
}

// A receiver; answer(n) gives the status for the n-th request (0-based),
// or null to never answer.
async function receiver(answer) {
  const got = [];
  const hanging = new Set();
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      got.push({ method: req.method, url: req.url, headers: req.headers, raw, body: JSON.parse(raw), verified: verify(req.headers, raw) });
      const status = answer(got.length - 1);
      if (status === null) { hanging.add(res); return; }
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    got,
    set answer(fn) { answer = fn; },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((res) => server.close(res));
    },
  };
}

// A port nothing listens on.
async function closedPort() {
  const s = createServer();
  await new Promise((res) => s.listen(0, '127.0.0.1', res));
  const port = s.address().port;
  await new Promise((res) => s.close(res));
  return port;
}

const webhookArgs = (url, { base = 100, max = 5, timeout = 2000 } = {}) => [
  '--access_log', 'off', '--webhook_url', url, '--webhook_retry_base_ms', String(base),
  '--webhook_max_attempts', String(max), '--webhook_timeout_ms', String(timeout),
];

// A server with an admin signed in; db: an existing database (not removed
// at stop), fresh: whether it still needs its first admin.
async function serve(args, { db, fresh = true } = {}) {
  const srv = await startServer({ args, db, env: { WANGGE_WEBHOOK_SECRET: SECRET } });
  if (fresh) {
    const init = run(['init', '--db', srv.db.url], { input: `${ADMIN_PASSWORD}\n` });
    assert.equal(init.status, 0, init.stderr);
  }
  return { srv, admin: await login(srv, 'admin', ADMIN_PASSWORD) };
}

async function waitFor(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const post = (c, path) => c.json(path, { method: 'POST' });
const outboxItem = async (c, id, state) => (await c.json(`/api/v1/webhook/outbox?state=${state}&limit=500`)).body.items.find((e) => e.id === id);
const deliveriesOf = async (c, id) => (await c.json('/api/v1/webhook/deliveries?limit=500')).body.items.filter((d) => d.outbox_id === id);

test('without webhook_url an event is recorded, harmlessly, and the routes check their input', async () => {
  const { srv, admin } = await serve(['--access_log', 'off']);
  try {
    const t = await post(admin, '/api/v1/webhook/test');
    assert.equal(t.status, 202, JSON.stringify(t.body));
    assert.equal(t.body.event, 'webhook.test');
    assert.equal(t.body.state, 'pending');
    assert.equal(t.body.attempts, 0);
    assert.equal(t.body.webhook_configured, false);
    assert.equal(t.body.data.requested_by, 'admin');
    const box = await admin.json('/api/v1/webhook/outbox');
    assert.equal(box.status, 200);
    assert.equal(box.body.webhook_configured, false);
    assert.deepEqual(box.body.items.map((e) => e.id), [t.body.id]);
    assert.equal(box.body.next_cursor, null);
    const log = await admin.json('/api/v1/webhook/deliveries');
    assert.deepEqual(log.body, { items: [], next_cursor: null });
    const audit = await admin.json('/api/v1/audit?action=webhook.test');
    assert.equal(audit.body.items.length, 1);
    // request -> status, error code, field
    const rows = [
      ['GET', '/api/v1/webhook/outbox?state=lost', 400, 'invalid_parameter', 'state'],
      ['GET', '/api/v1/webhook/deliveries?state=lost', 400, 'invalid_parameter', 'state'],
      ['GET', '/api/v1/webhook/deliveries?event=Bad%20Name', 400, 'invalid_parameter', 'event'],
      ['GET', '/api/v1/webhook/deliveries?cursor=x', 400, 'invalid_parameter', 'cursor'],
      ['GET', '/api/v1/webhook/outbox?limit=0', 400, 'invalid_parameter', 'limit'],
      ['GET', '/api/v1/webhook/outbox?color=red', 400, 'unknown_parameter', null],
      ['POST', `/api/v1/webhook/outbox/${t.body.id}/retry`, 409, 'invalid_transition', null],
      ['POST', '/api/v1/webhook/outbox/999999/retry', 404, 'not_found', null],
      ['POST', '/api/v1/webhook/outbox/abc/retry', 404, 'not_found', null],
    ];
    for (const [method, path, status, code, field] of rows) {
      const r = await admin.json(path, { method });
      assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, code, path);
      if (field) assert.equal(r.body.error.field, field, path);
    }
  } finally {
    await srv.stop();
  }
});

test('bad webhook settings refuse to start, and the secret is never printed', async () => {
  const db = freshDatabase();
  try {
    let r = run(['serve', '--listen', '127.0.0.1:0', '--db', db.url, '--webhook_url', 'http://127.0.0.1:9/', '--webhook_secret', 'short']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /webhook_secret must be at least 16 characters/);
    r = run(['serve', '--db', db.url, '--webhook_url', 'ftp://127.0.0.1/']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /webhook_url is not an http:\/\/ or https:\/\/ URL/);
    r = run(['serve', '--print-config', '--webhook_url', 'https://hooks.example.org/x'], { env: { WANGGE_WEBHOOK_SECRET: SECRET } });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, new RegExp(SECRET));
    assert.match(r.stdout, /webhook_secret = \*\*\*/);
  } finally {
    db.cleanup();
  }
});

test('a 500 is retried; the second attempt delivers a signed body; the log shows both', async () => {
  const rx = await receiver((n) => (n === 0 ? 500 : 200));
  const { srv, admin } = await serve(webhookArgs(rx.url));
  try {
    const t = await post(admin, '/api/v1/webhook/test');
    assert.equal(t.status, 202);
    assert.equal(t.body.webhook_configured, true);
    const done = await waitFor('delivery', () => outboxItem(admin, t.body.id, 'delivered'));
    assert.equal(done.attempts, 2);
    assert.equal(done.next_attempt_at, null);
    assert.equal(rx.got.length, 2);
    for (const g of rx.got) {
      assert.ok(g.verified, `signature ${g.headers['x-wangge-signature']}`);
      assert.equal(g.method, 'POST');
      assert.equal(g.url, '/hook');
      assert.equal(g.headers['content-type'], 'application/json');
      assert.match(g.headers['user-agent'], /^wangge\/\d/);
      assert.equal(g.headers['x-wangge-event'], 'webhook.test');
      assert.equal(g.headers['x-wangge-delivery'], String(t.body.id));
      assert.equal(g.body.id, t.body.id);
      assert.equal(g.body.event, 'webhook.test');
      assert.equal(g.body.created_at, t.body.created_at);
      assert.equal(g.body.data.requested_by, 'admin');
    }
    const log = await deliveriesOf(admin, t.body.id);
    assert.deepEqual(log.map((d) => [d.attempt, d.http_status, d.error, d.state]),
      [[2, 200, null, 'delivered'], [1, 500, 'HTTP 500', 'delivered']]);
    const filtered = await admin.json('/api/v1/webhook/deliveries?event=webhook.test&state=delivered&limit=1');
    assert.equal(filtered.body.items.length, 1);
    assert.equal(filtered.body.items[0].attempt, 2);
    const next = await admin.json(`/api/v1/webhook/deliveries?event=webhook.test&state=delivered&limit=1&cursor=${filtered.body.next_cursor}`);
    assert.equal(next.body.items[0].attempt, 1);
    assert.equal((await admin.json('/api/v1/webhook/deliveries?state=failed')).body.items.length, 0);
    // Delivered events leave the default view of the outbox.
    assert.equal((await admin.json('/api/v1/webhook/outbox')).body.items.length, 0);
    // Events go out in the order they happened.
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await post(admin, '/api/v1/webhook/test')).body.id);
    await waitFor('three deliveries', () => rx.got.length === 5);
    assert.deepEqual(rx.got.slice(2).map((g) => g.body.id), ids);
  } finally {
    await srv.stop();
    await rx.close();
  }
});

test('a receiver that never answers times out; the failed event is retried by hand', async () => {
  const rx = await receiver(() => null);
  const { srv, admin } = await serve(webhookArgs(rx.url, { base: 50, max: 2, timeout: 300 }));
  try {
    const t = await post(admin, '/api/v1/webhook/test');
    const failed = await waitFor('failure', () => outboxItem(admin, t.body.id, 'failed'));
    assert.equal(failed.attempts, 2);
    assert.match(failed.last_error, /time/i);
    const log = await deliveriesOf(admin, t.body.id);
    assert.deepEqual(log.map((d) => [d.attempt, d.http_status]), [[2, null], [1, null]]);
    for (const d of log) assert.ok(d.duration_ms >= 250 && d.duration_ms < 5000, `duration ${d.duration_ms}`);
    // The default outbox view holds what needs attention.
    assert.ok((await admin.json('/api/v1/webhook/outbox')).body.items.some((e) => e.id === t.body.id));

    rx.answer = () => 204;
    const r = await post(admin, `/api/v1/webhook/outbox/${t.body.id}/retry`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.state, 'pending');
    assert.equal(r.body.attempts, 0);
    const done = await waitFor('delivery after retry', () => outboxItem(admin, t.body.id, 'delivered'));
    assert.equal(done.attempts, 1);
    const after = await deliveriesOf(admin, t.body.id);
    assert.deepEqual(after.map((d) => [d.attempt, d.http_status]), [[1, 204], [2, null], [1, null]]);
    const again = await post(admin, `/api/v1/webhook/outbox/${t.body.id}/retry`);
    assert.equal(again.status, 409);
    assert.equal((await admin.json('/api/v1/audit?action=webhook.retry')).body.items.length, 1);
  } finally {
    await srv.stop();
    await rx.close();
  }
});

test('an unreachable URL ends failed after the last attempt', async () => {
  const { srv, admin } = await serve(webhookArgs(`http://127.0.0.1:${await closedPort()}/`, { base: 50, max: 3 }));
  try {
    const t = await post(admin, '/api/v1/webhook/test');
    const failed = await waitFor('failure', () => outboxItem(admin, t.body.id, 'failed'));
    assert.equal(failed.attempts, 3);
    assert.equal(failed.next_attempt_at, null);
    assert.ok(failed.last_error);
    const log = await deliveriesOf(admin, t.body.id);
    assert.deepEqual(log.map((d) => [d.attempt, d.http_status, d.state]), [[3, null, 'failed'], [2, null, 'failed'], [1, null, 'failed']]);
    assert.ok(log.every((d) => d.error && d.error.length > 0));
  } finally {
    await srv.stop();
  }
});

test('the server stops promptly with a delivery in flight, and delivers it after a restart', async () => {
  const db = freshDatabase();
  const hang = await receiver(() => null);
  const ok = await receiver(() => 200);
  try {
    let { srv, admin } = await serve(webhookArgs(hang.url, { timeout: 60000 }), { db: db.url });
    const t = await post(admin, '/api/v1/webhook/test');
    await waitFor('the attempt in flight', () => hang.got.length === 1);
    const started = Date.now();
    await srv.stop();
    assert.ok(Date.now() - started < 3000, `stopping took ${Date.now() - started} ms`);

    ({ srv, admin } = await serve(webhookArgs(ok.url), { db: db.url, fresh: false }));
    try {
      const done = await waitFor('delivery after restart', () => outboxItem(admin, t.body.id, 'delivered'));
      // The abandoned attempt was given back, not counted.
      assert.equal(done.attempts, 1);
      assert.equal(ok.got.length, 1);
      assert.ok(ok.got[0].verified);
      const log = await deliveriesOf(admin, t.body.id);
      assert.deepEqual(log.map((d) => [d.attempt, d.http_status]), [[1, 200]]);
    } finally {
      await srv.stop();
    }
  } finally {
    await hang.close();
    await ok.close();
    db.cleanup();
  }
});

