// The limit on anonymous writes per client address (http/ratelimit.c): the
// public form, a follower's actions and the other public writes share one
// bucket per address (an IPv6 client's /64); a refusal is the JSON error
// 429 with Retry-After and writes nothing. Reads, signed-in staff, the
// log-in, loopback peers and other addresses are not counted; 0 turns the
// limit off. Clients are told apart by X-Real-IP from the trusted proxy.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { seedIdentity, PASSWORD, areas } from '../lib/fixtures.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.stop(); });

async function server(args) {
  const srv = await startServer({ args: ['--access_log', 'off', '--trusted_proxy', '127.0.0.1', ...args] });
  servers.push(srv);
  return srv;
}

// A request as a client at address (null: the proxy's own, loopback).
async function from(srv, address, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (address) headers['X-Real-IP'] = address;
  const r = await fetch(srv.url + path, { method: body ? 'POST' : 'GET', headers, body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json(), retryAfter: r.headers.get('retry-after') };
}
const report = (srv, address, text = '路灯不亮') => from(srv, address, '/api/v1/public/cases',
  { category: 'sanitation', area_code: areas.gridA, description: text, reporter_phone: '13912345678' });

test('an address gets its burst, then 429 with Retry-After, and the refusal writes nothing', async () => {
  const srv = await server(['--public_write_burst', '3', '--public_writes_per_minute', '1']);
  const town = await seedIdentity(srv);
  const staff = await town.login('staff');
  const count = async () => (await staff.json('/api/v1/cases?limit=100')).body.items.length;

  const made = [];
  for (let i = 0; i < 3; i++) {
    const r = await report(srv, '203.0.113.7', `第${i}次`);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    made.push(r.body);
  }
  assert.equal(await count(), 3);
  let r = await report(srv, '203.0.113.7', '第四次');
  assert.equal(r.status, 429, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'too_many_requests');
  assert.match(r.body.error.message, /try again in \d+ s/);
  const wait = Number(r.retryAfter);
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${r.retryAfter}`);
  assert.equal(await count(), 3);
  // a follower's action from the same address counts in the same bucket
  r = await from(srv, '203.0.113.7', `/api/v1/public/cases/${made[0].follow_code}/actions`, { action: 'withdraw', version: 1 });
  assert.equal(r.status, 429, JSON.stringify(r.body));
  // reading is not writing
  r = await from(srv, '203.0.113.7', `/api/v1/public/cases/${made[0].follow_code}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'submitted');

  // another address, and the proxy itself, are not held up
  r = await report(srv, '203.0.113.8');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await report(srv, null);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // nor is staff signed in, nor a log-in, from the limited address
  const signedIn = await staff.json('/api/v1/cases', { method: 'POST', headers: { 'X-Real-IP': '203.0.113.7' },
    body: JSON.stringify({ category: 'sanitation', area_code: areas.gridA, description: '巡查发现' }) });
  assert.equal(signedIn.status, 201, JSON.stringify(signedIn.body));
  r = await from(srv, '203.0.113.7', '/api/v1/session', { login: 'staff', password: PASSWORD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(await count(), 6);

  // one IPv6 client is its /64
  for (const host of ['1', '2', '3']) {
    r = await report(srv, `2001:db8:1:2::${host}`);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  r = await report(srv, '2001:db8:1:2:ffff::9');
  assert.equal(r.status, 429, JSON.stringify(r.body));
  r = await report(srv, '2001:db8:1:3::1');
  assert.equal(r.status, 201, JSON.stringify(r.body));
});

test('0 writes a minute turns the limit off', async () => {
  const srv = await server(['--public_write_burst', '1', '--public_writes_per_minute', '0']);
  await seedIdentity(srv);
  for (let i = 0; i < 4; i++) {
    const r = await report(srv, '203.0.113.7');
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});
