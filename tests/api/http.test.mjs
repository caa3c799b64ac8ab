// The HTTP contract of design.md: envelopes, statuses, headers.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, root } from '../lib/server.mjs';
import { RawConnection } from '../lib/raw.mjs';

// The error registry is the one source of truth for code -> status.
const registry = Object.fromEntries(
  [...readFileSync(`${root}/src/http/errors.def`, 'utf8').matchAll(/HTTP_ERROR\((\w+), (\d+),/g)]
    .map(([, code, status]) => [code, Number(status)]));

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const json = { 'Content-Type': 'application/json' };
const big = 'x'.repeat(1024 * 1024 + 10);

// request -> expected status, error code, field
const cases = [
  ['GET', '/healthz', null, {}, 200, null, null],
  ['GET', '/readyz', null, {}, 200, null, null],
  ['GET', '/api/v1/nothing-here', null, {}, 404, 'not_found', null],
  ['GET', '/api/v1/client-errors/1', null, {}, 404, 'not_found', null],
  ['POST', '/api/v1/nothing-here', '{}', json, 404, 'not_found', null],
  ['DELETE', '/healthz', null, {}, 405, 'method_not_allowed', null],
  ['GET', '/api/v1/client-errors', null, {}, 405, 'method_not_allowed', null],
  ['GET', '/healthz?verbose=1', null, {}, 400, 'unknown_parameter', 'verbose'],
  ['POST', '/api/v1/client-errors', '{"message":"x"', json, 400, 'invalid_json', null],
  ['POST', '/api/v1/client-errors', '{"message":"a","message":"b"}', json, 400, 'invalid_json', null],
  ['POST', '/api/v1/client-errors', 'message=x', { 'Content-Type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type', null],
  ['POST', '/api/v1/client-errors', '{"message":"x"}', { 'Content-Type': 'text/plain' }, 415, 'unsupported_media_type', null],
  ['POST', '/api/v1/client-errors', '[1,2]', json, 422, 'invalid_body', null],
  ['POST', '/api/v1/client-errors', '{}', json, 422, 'missing_field', 'message'],
  ['POST', '/api/v1/client-errors', '{"message":42}', json, 422, 'invalid_type', 'message'],
  ['POST', '/api/v1/client-errors', '{"message":"x","line":"7"}', json, 422, 'invalid_type', 'line'],
  ['POST', '/api/v1/client-errors', '{"message":"x","line":-1}', json, 422, 'invalid_value', 'line'],
  ['POST', '/api/v1/client-errors', '{"message":""}', json, 422, 'invalid_value', 'message'],
  ['POST', '/api/v1/client-errors', '{"message":"x","colour":"red"}', json, 422, 'unknown_field', 'colour'],
  ['POST', '/api/v1/client-errors', '{"message":"a\\u0000b"}', json, 400, 'invalid_json', null],
  ['POST', '/api/v1/client-errors', `{"message":"${'x'.repeat(5000)}"}`, json, 422, 'invalid_value', 'message'],
  ['POST', '/api/v1/client-errors', '{"message":"出错了","url":"/#/home","line":3,"column":9}', json, 204, null, null],
  ['POST', '/api/v1/client-errors', '{"message":"x"}', { 'Content-Type': 'application/json; charset=utf-8' }, 204, null, null],
];

for (const [method, path, body, headers, status, code, field] of cases) {
  test(`${method} ${path} ${body ? body.slice(0, 40) : ''} -> ${status} ${code ?? ''}`, async () => {
    const res = await fetch(srv.url + path, { method, body, headers });
    assert.equal(res.status, status);
    if (code) {
      assert.equal(registry[code], status, `registry status of ${code}`);
      assert.match(res.headers.get('content-type'), /^application\/json/);
      const env = await res.json();
      assert.deepEqual(Object.keys(env), ['error']);
      assert.equal(env.error.code, code);
      assert.equal(typeof env.error.message, 'string');
      assert.ok(env.error.message.length > 0);
      assert.equal(env.error.field, field);
    } else {
      await res.arrayBuffer();
    }
  });
}

test('405 names the allowed methods in Allow', async () => {
  const res = await fetch(`${srv.url}/healthz`, { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
  const res2 = await fetch(`${srv.url}/api/v1/client-errors`, { method: 'PUT', body: '{}', headers: json });
  assert.equal(res2.headers.get('allow'), 'POST');
});

test('malformed JSON answers its line and column', async () => {
  const res = await fetch(`${srv.url}/api/v1/client-errors`, { method: 'POST', headers: json, body: '{\n  "message": "x",\n  oops\n}' });
  assert.equal(res.status, 400);
  const { error } = await res.json();
  assert.equal(error.code, 'invalid_json');
  assert.equal(error.line, 3);
  assert.ok(error.column >= 1);
  assert.match(error.message, /line 3, column \d+/);
});

test('a body over 1 MiB is refused from Content-Length, before it is read', async () => {
  const c = new RawConnection(srv.port);
  await c.ready;
  // Announce 2 MiB but send nothing: the answer must come anyway.
  c.write('POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n');
  const res = await c.read();
  assert.equal(res.status, 413);
  assert.equal(JSON.parse(res.body).error.code, 'payload_too_large');
  c.close();
});

test('the default limit is 1 MiB: one byte more is refused, 1 MiB is read', async () => {
  const c = new RawConnection(srv.port);
  await c.ready;
  const head = (n) => `POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${n}\r\n\r\n`;
  const body = `{"message":"${'x'.repeat(1024 * 1024 - 14)}"}`;
  assert.equal(Buffer.byteLength(body), 1024 * 1024);
  c.write(head(body.length) + body);
  const ok = await c.read();
  assert.equal(ok.status, 422); // read and parsed: the message is too long
  c.write(head(body.length + 1));
  const res = await c.read();
  assert.equal(res.status, 413);
  c.close();
});

test('a body sent to an unknown route is dropped, and the connection kept', async () => {
  const c = new RawConnection(srv.port);
  await c.ready;
  c.write(`POST /api/v1/nothing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n${big}`);
  assert.equal((await c.read()).status, 404);
  c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal((await c.read()).status, 200);
  c.close();
});

test('a chunked body over the limit is cut off with 413', async () => {
  const c = new RawConnection(srv.port);
  await c.ready;
  c.write('POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
  const chunk = 'y'.repeat(600 * 1024);
  c.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  c.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
  const res = await c.read();
  assert.equal(res.status, 413);
  c.close();
});

test('security headers and a request id on every answer', async () => {
  for (const path of ['/healthz', '/', '/app.js', '/api/v1/nope', '/metrics']) {
    const res = await fetch(srv.url + path);
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy');
    assert.ok(csp, `${path}: CSP`);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.match(res.headers.get('x-request-id') || '', /^[\w.-]{6,}$/);
  }
});

test('API answers are never cached', async () => {
  const res = await fetch(`${srv.url}/api/v1/nope`);
  assert.equal(res.headers.get('cache-control'), 'no-store');
});

test('request ids are unique, and a plain client id is kept', async () => {
  const a = await fetch(`${srv.url}/healthz`);
  const b = await fetch(`${srv.url}/healthz`);
  assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
  const c = await fetch(`${srv.url}/healthz`, { headers: { 'X-Request-Id': 'nginx-abc.123' } });
  assert.equal(c.headers.get('x-request-id'), 'nginx-abc.123');
  const d = await fetch(`${srv.url}/healthz`, { headers: { 'X-Request-Id': 'bad id "quoted"' } });
  assert.notEqual(d.headers.get('x-request-id'), 'bad id "quoted"');
});

test('healthz answers exactly {"status":"ok"}', async () => {
  const res = await fetch(`${srv.url}/healthz`);
  assert.equal(await res.text(), '{"status":"ok"}');
});

test('metrics: Prometheus text with requests by route and status, latency and database counters', async () => {
  await fetch(`${srv.url}/healthz`);
  await fetch(`${srv.url}/api/v1/nope`);
  await fetch(`${srv.url}/readyz`);
  const res = await fetch(`${srv.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /^# TYPE wangge_http_requests_total counter$/m);
  assert.match(text, /^wangge_http_requests_total\{route="\/healthz",status="200"\} [1-9]\d*$/m);
  assert.match(text, /^wangge_http_requests_total\{route="unmatched",status="404"\} [1-9]\d*$/m);
  assert.match(text, /^# TYPE wangge_http_request_duration_seconds histogram$/m);
  assert.match(text, /^wangge_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} [1-9]\d*$/m);
  assert.match(text, /^wangge_http_request_duration_seconds_count\{route="\/healthz"\} [1-9]\d*$/m);
  assert.match(text, /^wangge_db_transactions_total [1-9]\d*$/m);
  assert.match(text, /^wangge_db_statements_total [1-9]\d*$/m);
  // Every sample line is "name{labels} value" or "name value".
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#')))
    assert.match(line, /^[a-z_]+(\{[^}]*\})? -?[\d.e+]+$/, line);
});

test('HEAD is answered like GET without a body', async () => {
  const res = await fetch(`${srv.url}/healthz`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
});

test('the access log has one JSON line per request', async () => {
  await fetch(`${srv.url}/healthz`, { headers: { 'X-Request-Id': 'log-check-1' } });
  await new Promise((r) => setTimeout(r, 100));
  const line = srv.stderr().split('\n').find((l) => l.includes('"log-check-1"'));
  assert.ok(line, 'access line present');
  const entry = JSON.parse(line);
  assert.equal(entry.method, 'GET');
  assert.equal(entry.route, '/healthz');
  assert.equal(entry.status, 200);
  assert.equal(entry.bytes, 15);
  assert.equal(typeof entry.us, 'number');
  assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});
