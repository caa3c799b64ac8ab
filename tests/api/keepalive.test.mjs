// 10,000 GETs on one keep-alive connection use one TCP connection.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { RawConnection } from '../lib/raw.mjs';

let srv;
before(async () => { srv = await startServer({ args: ['--access_log', 'off'] }); });
after(async () => { await srv.stop(); });

test('10,000 GETs on one connection', async () => {
  const c = new RawConnection(srv.port);
  await c.ready;
  const paths = ['/healthz', '/app.js', '/api/v1/nothing'];
  for (let i = 0; i < 10000; i++) {
    const path = paths[i % paths.length];
    c.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const res = await c.read();
    assert.equal(res.status, path === '/api/v1/nothing' ? 404 : 200);
    assert.notEqual((res.headers.connection || '').toLowerCase(), 'close', `request ${i} closed the connection`);
  }
  assert.equal(c.closed, false);
  c.close();
  // The server saw exactly one connection: its metrics count 10,000 answers.
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const n = (route, status) => Number((text.match(new RegExp(`route="${route}",status="${status}"\\} (\\d+)`)) || [])[1] || 0);
  assert.equal(n('/healthz', 200) + n('static', 200) + n('unmatched', 404), 10000);
});

test('POSTs keep the connection too', async () => {
  const c = new RawConnection(srv.port);
  await c.ready;
  for (let i = 0; i < 200; i++) {
    const body = JSON.stringify({ message: `m${i}` });
    c.write(`POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.equal((await c.read()).status, 204);
  }
  assert.equal(c.closed, false);
  c.close();
});
