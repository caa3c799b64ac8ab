// Raw HTTP/1.1 over one TCP connection, for what fetch hides: keep-alive,
// a Content-Length larger than the body sent, a body sent in pieces.
import net from 'node:net';

export class RawConnection {
  constructor(port) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.buffer = Buffer.alloc(0);
    this.waiters = [];
    this.closed = false;
    this.socket.on('data', (d) => { this.buffer = Buffer.concat([this.buffer, d]); this.#wake(); });
    this.socket.on('close', () => { this.closed = true; this.#wake(); });
    this.socket.on('error', () => {});
    this.ready = new Promise((res, rej) => { this.socket.once('connect', res); this.socket.once('error', rej); });
  }

  #wake() { const w = this.waiters; this.waiters = []; w.forEach((f) => f()); }

  write(data) { this.socket.write(data); }

  // Reads one response: {status, headers (lower-case keys), body (string)}.
  async read(timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(head[0].split(' ')[1]);
        const headers = {};
        for (const line of head.slice(1)) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const len = Number(headers['content-length'] || 0);
        if (this.buffer.length >= end + 4 + len) {
          const body = this.buffer.subarray(end + 4, end + 4 + len).toString('utf8');
          this.buffer = this.buffer.subarray(end + 4 + len);
          return { status, headers, body };
        }
      }
      if (this.closed) throw new Error('connection closed before a whole response');
      if (Date.now() > deadline) throw new Error('timed out waiting for a response');
      await new Promise((res) => { this.waiters.push(res); setTimeout(res, 50); });
    }
  }

  close() { this.socket.destroy(); }
}
