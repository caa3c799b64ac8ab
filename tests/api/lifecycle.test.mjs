// The binary as an operator meets it: commands, configuration, start, stop.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, run, freshDatabase, backend } from '../lib/server.mjs';
import { RawConnection } from '../lib/raw.mjs';

// command -> exit code, and a pattern its output must show
const usage = [
  [[], 2, /a command is needed/],
  [['frobnicate'], 2, /unknown command 'frobnicate'/],
  [['serve', '--frob'], 2, /unknown option '--frob'/],
  [['serve', '--listen'], 2, /needs a value/],
  [['serve', '--listen', 'nowhere'], 2, /listen 'nowhere' is not ADDRESS:PORT/],
  [['serve', '--threads', 'many'], 2, /not a whole number/],
  [['serve', '--db', 'mysql://x'], 2, /is not sqlite:PATH or postgres/],
  [['serve', '--print-config=yes'], 2, /takes no value/],
  [['migrate', 'extra'], 2, /unexpected argument 'extra'/],
  [['serve', '--config', '/nonexistent/wangge.conf'], 1, /No such file/],
];
for (const [args, status, pattern] of usage) {
  test(`wangge ${args.join(' ')} -> exit ${status}`, () => {
    const r = run(args);
    assert.equal(r.status, status);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, 'one line on stderr');
    assert.match(lines[0], pattern);
  });
}

for (const cmd of ['serve', 'init', 'migrate', 'version']) {
  test(`wangge ${cmd} --help`, () => {
    const r = run([cmd, '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, new RegExp(`^usage: wangge ${cmd}`));
  });
}

test('wangge version names the libraries', () => {
  const r = run(['version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^wangge \d+\.\d+\.\d+ \(libmicrohttpd 0\.9\.\d+, SQLite 3\.\d+/);
});

test('configuration: defaults < file < environment < flags, each source shown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wangge-conf-'));
  const conf = join(dir, 'wangge.conf');
  writeFileSync(conf, '# settings\nlisten = 127.0.0.1:7001\nthreads = 3\nbody_limit = 4096 # bytes\naccess_log = off\n');
  const env = { WANGGE_THREADS: '5', WANGGE_BODY_LIMIT: '8192' };
  const r = run(['serve', '--config', conf, '--body_limit', '2048', '--print-config'], { env });
  assert.equal(r.status, 0, r.stderr);
  const get = (k) => r.stdout.match(new RegExp(`^${k} = (\\S+)\\t# (\\w+)`, 'm')).slice(1);
  assert.deepEqual(get('listen'), ['127.0.0.1:7001', 'file']);
  assert.deepEqual(get('threads'), ['5', 'environment']);
  assert.deepEqual(get('body_limit'), ['2048', 'flag']);
  assert.deepEqual(get('access_log'), ['off', 'file']);
  assert.deepEqual(get('shutdown_timeout'), ['10', 'default']);
  const bad = join(dir, 'bad.conf');
  writeFileSync(bad, 'listen = 127.0.0.1:1\ncolour = blue\n');
  const r2 = run(['serve', '--config', bad, '--print-config']);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /bad\.conf:2: unknown setting 'colour'/);
  const r3 = run(['serve', '--print-config'], { env: { WANGGE_DB: 'postgres://u:secret@h:5432/d' } });
  assert.doesNotMatch(r3.stdout, /u:secret/); // not /secret/: webhook_secret is a key's name
  rmSync(dir, { recursive: true });
});

test('init and migrate create the schema once', () => {
  const db = freshDatabase();
  const a = run(['init', '--db', db.url]);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /database ready \((sqlite|postgres), schema version [1-9]\d*, root area 000000 全域\)/);
  const b = run(['migrate', '--db', db.url]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /applied 0 migrations; schema version [1-9]/);
  db.cleanup();
});

test('SIGTERM: in-flight requests finish, then exit 0', async () => {
  const srv = await startServer();
  const c = new RawConnection(srv.port);
  await c.ready;
  const body = JSON.stringify({ message: 'sent across a shutdown' });
  c.write(`POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
  await new Promise((r) => setTimeout(r, 200));
  srv.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  // The listener is closed to newcomers...
  await assert.rejects(fetch(`${srv.url}/healthz`));
  // ...while the request already begun is answered.
  c.write(body.slice(10));
  const res = await c.read();
  assert.equal(res.status, 204);
  assert.equal(res.headers.connection, 'close');
  await srv.stop();
  assert.match(srv.stderr(), /SIGTERM received: stopping[\s\S]*stopped/);
});

test('SIGINT stops the server cleanly too', async () => {
  const srv = await startServer();
  srv.proc.kill('SIGINT');
  const { code } = await srv.exited;
  assert.equal(code, 0);
  await srv.stop();
});

test('a second server on the same port fails with a clear message', async () => {
  const srv = await startServer();
  const db = freshDatabase();
  const r = run(['serve', '--listen', `127.0.0.1:${srv.port}`, '--db', db.url]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${srv.port} is already in use`));
  db.cleanup();
  await srv.stop();
});

// PostgreSQL is shared by many nodes by design: the claim is SQLite's alone.
if (backend === 'sqlite') test('a second server on the same SQLite file fails with a clear message', async () => {
  const db = freshDatabase();
  const srv = await startServer({ db: db.url });
  const r = run(['serve', '--listen', '127.0.0.1:0', '--db', db.url]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /is in use by another wangge server/);
  await srv.stop();
  // Once the first has stopped, the file is free again.
  const again = await startServer({ db: db.url });
  await again.stop();
  db.cleanup();
});
