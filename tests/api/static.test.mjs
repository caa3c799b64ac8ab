// The web UI compiled into the binary: types, ETag/304, gzip, app-shell fallback.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import { startServer, root } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

// fetch always sends Accept-Encoding and decodes; node:http shows the wire.
function get(path, headers = {}) {
  return new Promise((res, rej) => {
    http.get(`${srv.url}${path}`, { headers, agent: false }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks) }));
    }).on('error', rej);
  });
}

const types = [
  ['/', 'text/html; charset=utf-8', 'index.html'],
  ['/index.html', 'text/html; charset=utf-8', 'index.html'],
  ['/app.js', 'text/javascript; charset=utf-8', 'app.js'],
  ['/app.css', 'text/css; charset=utf-8', 'app.css'],
  ['/icon.svg', 'image/svg+xml', 'icon.svg'],
];

for (const [path, type, file] of types) {
  test(`${path} is ${file} as ${type}, byte for byte`, async () => {
    const r = await get(path);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], type);
    assert.equal(r.headers['content-encoding'], undefined);
    assert.deepEqual(r.body, readFileSync(`${root}/web/${file}`));
    assert.match(r.headers.etag, /^"[0-9a-f]{32}"$/);
    assert.equal(r.headers['cache-control'], 'no-cache');
  });
}

test('a matching If-None-Match answers 304 without a body', async () => {
  const first = await get('/app.js');
  const again = await get('/app.js', { 'If-None-Match': first.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, first.headers.etag);
  const other = await get('/app.js', { 'If-None-Match': '"0000"' });
  assert.equal(other.status, 200);
});

test('gzip is sent precompressed when accepted, with its own ETag', async () => {
  const plain = await get('/app.js');
  const gz = await get('/app.js', { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.ok(gz.body.length < plain.body.length);
  assert.deepEqual(gunzipSync(gz.body), plain.body);
  assert.notEqual(gz.headers.etag, plain.headers.etag);
  const gz304 = await get('/app.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag });
  assert.equal(gz304.status, 304);
  const refused = await get('/app.js', { 'Accept-Encoding': 'gzip;q=0' });
  assert.equal(refused.headers['content-encoding'], undefined);
});

test('client-side routes get the app shell; missing files get a 404 envelope', async () => {
  const shell = await get('/cases/123');
  assert.equal(shell.status, 200);
  assert.equal(shell.headers['content-type'], 'text/html; charset=utf-8');
  const missing = await get('/nope.js');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.body).error.code, 'not_found');
  const traversal = await get('/../../etc/passwd');
  assert.notEqual(traversal.body.toString().includes('root:'), true);
});

test('the shell loads no inline script or style (CSP forbids them)', () => {
  const html = readFileSync(`${root}/web/index.html`, 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /\son[a-z]+=/i);
  assert.doesNotMatch(html, /<style|style="/);
});
