// Photos over HTTP: upload decided by content, one blob per content, the
// headers that keep a photo inert, 304s, 404s, and the blob_dir mode with
// its corruption check.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { startServer, run, freshDatabase } from '../lib/server.mjs';

// ---- hand-made images ----
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const be32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
const le32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };

const jpeg = (w, h, tail = '') => Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
  Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]),
  Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]),
  Buffer.from(tail),
]);
const png = (w, h, { badCrc = false } = {}) => {
  const ihdr = Buffer.concat([Buffer.from('IHDR'), be32(w), be32(h), Buffer.from([8, 6, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), be32(13), ihdr, be32(crc32(ihdr) ^ (badCrc ? 1 : 0)),
    be32(0), Buffer.from('IEND'), be32(crc32(Buffer.from('IEND'))),
  ]);
};
const webp = (chunks) => {
  const body = Buffer.concat(chunks.map(([fourcc, payload]) =>
    Buffer.concat([Buffer.from(fourcc), le32(payload.length), payload, Buffer.alloc(payload.length & 1)])));
  return Buffer.concat([Buffer.from('RIFF'), le32(4 + body.length), Buffer.from('WEBP'), body]);
};
const vp8 = (w, h) => webp([['VP8 ', Buffer.from([0x10, 0, 0, 0x9d, 0x01, 0x2a, w & 255, w >> 8, h & 255, h >> 8])]]);
const vp8l = (w, h) => { const bits = (w - 1) | ((h - 1) << 14); return webp([['VP8L', Buffer.concat([Buffer.from([0x2f]), le32(bits)])]]); };
const vp8x = (w, h) => webp([
  ['VP8X', Buffer.from([0, 0, 0, 0, (w - 1) & 255, (w - 1) >> 8, 0, (h - 1) & 255, (h - 1) >> 8, 0])],
  ['VP8L', Buffer.from([0x2f, 0, 0, 0, 0])],
]);
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

let srv;
before(async () => { srv = await startServer({ args: ['--access_log', 'off'] }); });
after(async () => { await srv.stop(); });

async function upload(s, bytes, headers = {}) {
  const r = await fetch(`${s.url}/api/v1/photos`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream', ...headers } });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
}

// name, bytes -> status, type, width, height
const accepted = [
  ['JPEG baseline', jpeg(640, 480), 'image/jpeg', 640, 480],
  ['PNG', png(300, 200), 'image/png', 300, 200],
  ['WebP lossy (VP8)', vp8(320, 240), 'image/webp', 320, 240],
  ['WebP lossless (VP8L)', vp8l(100, 50), 'image/webp', 100, 50],
  ['WebP extended (VP8X)', vp8x(1920, 1080), 'image/webp', 1920, 1080],
  ['JPEG header then HTML (served inert)', jpeg(8, 8, '<html><script>alert(1)</script>'), 'image/jpeg', 8, 8],
];
for (const [name, bytes, type, width, height] of accepted) {
  test(`POST /photos ${name} -> 201 ${type} ${width}x${height}, then GET gives it back`, async () => {
    const r = await upload(srv, bytes);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const sha = sha256(bytes);
    assert.deepEqual(r.body, { sha256: sha, type, size: bytes.length, width, height, url: `/api/v1/photos/${sha}` });
    const g = await fetch(srv.url + r.body.url);
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('content-type'), type);
    assert.deepEqual(Buffer.from(await g.arrayBuffer()), bytes);
  });
}

// name, bytes -> 415 and a word of the reason
const refused = [
  ['GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'latin1'), 'GIF'],
  ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'markup'],
  ['HTML', Buffer.from('<!DOCTYPE html><script>alert(1)</script>'), 'markup'],
  ['PDF', Buffer.from('%PDF-1.7\n'), 'PDF'],
  ['PNG with a bad CRC', png(10, 10, { badCrc: true }), 'CRC'],
  ['truncated JPEG', jpeg(640, 480).subarray(0, 30), 'truncated'],
  ['WebP with a wrong RIFF size', Buffer.concat([vp8l(10, 10), Buffer.from('<svg/>')]), 'RIFF'],
  ['zero-width JPEG', jpeg(0, 10), 'zero'],
  ['empty body', Buffer.alloc(0), 'empty'],
];
for (const [name, bytes, word] of refused) {
  test(`POST /photos ${name} -> 415`, async () => {
    // The declared type is ignored: only the content decides.
    const r = await upload(srv, bytes, { 'Content-Type': 'image/png' });
    assert.equal(r.status, 415, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'unsupported_media_type');
    assert.match(r.body.error.message, new RegExp(word));
  });
}

test('the same bytes twice are one blob: 201 then 200, whatever the declared type', async () => {
  const bytes = png(77, 33);
  const first = await upload(srv, bytes);
  assert.equal(first.status, 201);
  const again = await upload(srv, bytes, { 'Content-Type': 'text/html' });
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, first.body);
});

test('Idempotency-Key: a resend gets the first answer', async () => {
  const bytes = jpeg(31, 17);
  const a = await upload(srv, bytes, { 'Idempotency-Key': 'photo-resend-1' });
  const b = await upload(srv, bytes, { 'Idempotency-Key': 'photo-resend-1' });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.deepEqual(b.body, a.body);
});

test('413 above photo_max_bytes (5 MiB) and above the route limit (20 MiB)', async () => {
  const big = Buffer.concat([jpeg(100, 100), Buffer.alloc(5 * 1024 * 1024)]);
  const r = await upload(srv, big);
  assert.equal(r.status, 413);
  assert.equal(r.body.error.code, 'payload_too_large');
  // Over the route's limit: refused from Content-Length, before the body.
  const head = await new Promise((resolve, reject) => {
    const sock = connect(srv.port, '127.0.0.1', () => sock.write(
      `POST /api/v1/photos HTTP/1.1\r\nHost: x\r\nContent-Length: ${20 * 1024 * 1024 + 1}\r\n\r\n`));
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => { got += d; if (got.includes('\r\n\r\n')) { sock.destroy(); resolve(got); } });
    sock.on('error', reject);
  });
  assert.match(head, /^HTTP\/1\.1 413 /);
  const fits = await upload(srv, Buffer.concat([jpeg(100, 100), Buffer.alloc(5 * 1024 * 1024 - 200)]));
  assert.equal(fits.status, 201, JSON.stringify(fits.body));
});

test('GET headers: the stored type, nosniff, a sandboxing CSP, inline, ETag, a year of private cache', async () => {
  const bytes = vp8(64, 48);
  const { body } = await upload(srv, bytes);
  const g = await fetch(srv.url + body.url);
  assert.equal(g.status, 200);
  const h = Object.fromEntries(g.headers);
  assert.equal(h['content-type'], 'image/webp');
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['content-security-policy'], "default-src 'none'; sandbox");
  assert.equal(h['content-disposition'], 'inline');
  assert.equal(h.etag, `"${body.sha256}"`);
  assert.equal(h['cache-control'], 'private, max-age=31536000, immutable');
  assert.equal(h['content-length'], String(bytes.length));
  await g.arrayBuffer();
  // If-None-Match: the tag, a weak form, a list, "*" -> 304 without a body.
  for (const inm of [h.etag, `W/${h.etag}`, `"other", ${h.etag}`, '*']) {
    const c = await fetch(srv.url + body.url, { headers: { 'If-None-Match': inm } });
    assert.equal(c.status, 304, inm);
    assert.equal(c.headers.get('etag'), h.etag);
    assert.equal(c.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.equal((await c.arrayBuffer()).byteLength, 0);
  }
  const other = await fetch(srv.url + body.url, { headers: { 'If-None-Match': '"0000"' } });
  assert.equal(other.status, 200);
  await other.arrayBuffer();
  const head = await fetch(srv.url + body.url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-type'), 'image/webp');
});

// address -> 404
const missing = [
  ['unknown', 'ab'.repeat(32)],
  ['upper case', sha256(jpeg(640, 480)).toUpperCase()],
  ['short', 'abc123'],
  ['not hex', 'g'.repeat(64)],
  ['too long', 'a'.repeat(65)],
];
for (const [name, address] of missing) {
  test(`GET /photos/{${name}} -> 404`, async () => {
    const r = await fetch(`${srv.url}/api/v1/photos/${address}`);
    assert.equal(r.status, 404);
    assert.equal((await r.json()).error.code, 'not_found');
    const c = await fetch(`${srv.url}/api/v1/photos/${address}`, { headers: { 'If-None-Match': `"${address}"` } });
    assert.equal(c.status, 404);
    await c.arrayBuffer();
  });
}

test('blob_dir: files in DIR/ab/cd/<sha256>, read back checked; a corrupt file is a logged 500, repaired by an upload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wangge-blobs-'));
  const s = await startServer({ args: ['--access_log', 'off', '--blob_dir', dir] });
  try {
    const bytes = png(640, 480);
    const sha = sha256(bytes);
    const r = await upload(s, bytes);
    assert.equal(r.status, 201);
    const file = join(dir, sha.slice(0, 2), sha.slice(2, 4), sha);
    assert.deepEqual(readFileSync(file), bytes);
    assert.equal((await upload(s, bytes)).status, 200);
    let g = await fetch(s.url + r.body.url);
    assert.equal(g.status, 200);
    assert.deepEqual(Buffer.from(await g.arrayBuffer()), bytes);
    // A flipped bit on disk: never served.
    const bad = Buffer.from(bytes);
    bad[40] ^= 1;
    writeFileSync(file, bad);
    g = await fetch(s.url + r.body.url);
    assert.equal(g.status, 500);
    assert.equal((await g.json()).error.code, 'internal_error');
    assert.match(s.stderr(), new RegExp(`${sha} is corrupt`));
    // The same bytes again put the file right.
    assert.equal((await upload(s, bytes)).status, 200);
    g = await fetch(s.url + r.body.url);
    assert.equal(g.status, 200);
    assert.deepEqual(Buffer.from(await g.arrayBuffer()), bytes);
    // A lost file: a logged 500 too (the row says it should be there).
    unlinkSync(file);
    g = await fetch(s.url + r.body.url);
    assert.equal(g.status, 500);
    await g.arrayBuffer();
    assert.match(s.stderr(), /missing/);
    assert.equal((await upload(s, bytes)).status, 200);
    assert.ok(existsSync(file));
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve refuses a blob_dir that is not a directory', () => {
  const db = freshDatabase();
  try {
    const r = run(['serve', '--listen', '127.0.0.1:0', '--db', db.url, '--blob_dir', '/nonexistent/wangge-blobs']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /blob_dir \/nonexistent\/wangge-blobs is not a directory/);
  } finally {
    db.cleanup();
  }
});
