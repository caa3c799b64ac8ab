// Starts `wangge serve` for a test: a free 127.0.0.1 port, a fresh database
// (a temporary SQLite file, or a new PostgreSQL database when WANGGE_TEST_PG
// names a cluster), and a stop() that insists on a clean exit.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = resolve(root, process.env.WANGGE_BIN || 'build/wangge');
export const backend = process.env.WANGGE_TEST_PG ? 'postgres' : 'sqlite';

let counter = 0;

// A fresh database URL; cleanup() removes it.
export function freshDatabase() {
  if (process.env.WANGGE_TEST_PG) {
    const name = `wg_${process.pid}_${++counter}_${Date.now() % 100000}`;
    const base = process.env.WANGGE_TEST_PG;
    const r = spawnSync('psql', [`${base}/postgres`, '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`createdb failed: ${r.stderr}`);
    return {
      url: `${base}/${name}`,
      cleanup() {
        spawnSync('psql', [`${base}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'wangge-test-'));
  return { url: `sqlite:${dir}/wangge.db`, path: `${dir}/wangge.db`, cleanup() { rmSync(dir, { recursive: true, force: true }); } };
}

// Runs SQL on a test database (db from freshDatabase(), or a server's
// srv.db), waiting out a server's write lock; the output, trimmed. Throws
// with the database's message when a statement fails.
export function runSql(db, text) {
  const r = backend === 'postgres'
    ? spawnSync('psql', [db.url, '-qAtv', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-bail', '-cmd', '.timeout 5000', db.path, text], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`SQL failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

// Runs a wangge command to completion: {status, stdout, stderr}.
export function run(args, { input, env } = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', input, env: { ...process.env, ...env }, timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

// Starts a server; resolves once it prints its address.
export async function startServer({ db, args = [], env = {} } = {}) {
  const database = db ? { url: db, cleanup() {} } : freshDatabase();
  const proc = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--db', database.url, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.setEncoding('utf8');
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const address = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on http:\/\/(\S+)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    exited.then(({ code }) => { clearTimeout(timer); rej(new Error(`server exited (${code}) before listening:\n${stderr}`)); });
  });
  const url = `http://${address}`;
  return {
    url,
    port: Number(address.split(':').pop()),
    db: database,
    proc,
    exited,
    stderr: () => stderr,
    // Sends SIGTERM and waits; throws unless the exit was clean.
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const { code, signal } = await exited;
      database.cleanup();
      if (code !== 0) throw new Error(`server exited with ${code ?? signal}:\n${stderr.slice(-4000)}`);
      if (/AddressSanitizer|LeakSanitizer|runtime error:|BUG at/.test(stderr))
        throw new Error(`server reported a problem:\n${stderr.slice(-4000)}`);
    },
  };
}
