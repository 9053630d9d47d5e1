// Two edges of the WebSocket transport an outside check found: Node 20's built-in WebSocket ends a failed handshake
// with an error and no close (the client waited out connectTimeoutMs, 10 s, per attempt), and a frame over the
// server's limit closed the whole connection (1009) instead of failing alone.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HubbubClient } from '../src/hubbub.js';
import { serverBehindProxy } from '../testkit/fixture.js';
import { nextEvent, until } from '../testkit/wait.js';

/** A WebSocket whose handshake fails as Node 20's built-in one reports it: `error`, then nothing. */
class ErrorOnlyWebSocket {
  static created = 0;

  constructor() {
    ErrorOnlyWebSocket.created++;
    this.readyState = 0;
    setTimeout(() => {
      this.readyState = 3;
      this.onerror?.({ type: 'error', message: 'Received network error or non-101 status code.' });
    }, 5);
  }

  send() { throw new Error('InvalidStateError'); }

  close() { this.readyState = 3; }
}

describe('a handshake that fails with an error and no close', () => {
  let client;
  afterEach(() => client?.close());

  it('ends the attempt at once and backs off, instead of waiting for connectTimeoutMs', { timeout: 15_000 }, async () => {
    ErrorOnlyWebSocket.created = 0;
    client = new HubbubClient('ws://127.0.0.1:1/ws', {
      token: 't', WebSocket: ErrorOnlyWebSocket, transports: ['websocket'],
      backoffBaseMs: 20, backoffCapMs: 40, circuitBreakerThreshold: 100, connectTimeoutMs: 10_000,
    });
    const reasons = [];
    client.on('disconnected', (d) => reasons.push(d.reason));
    const started = Date.now();
    client.connect().catch(() => {});
    await until(() => ErrorOnlyWebSocket.created >= 4, 5_000, 'four attempts');
    assert.ok(Date.now() - started < 5_000, 'each failed attempt ended in well under connectTimeoutMs');
    assert.ok(reasons.length >= 3, `disconnected after each attempt: ${reasons.length}`);
    assert.ok(reasons.every((r) => !/connectTimeoutMs/.test(r)), reasons.join(' | '));
    assert.ok(['connecting', 'reconnecting'].includes(client.state), client.state); // between attempts, or in one
  });
});

describe('a frame over the server limit, against a real server', { timeout: 60_000 }, () => {
  const net = serverBehindProxy();
  const { server, pool } = net;

  it('is refused alone with too_large; the connection and the next request go on', { timeout: 30_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token('big') });
    await c.connect();
    assert.equal(c.welcome.limits.max_frame_bytes, 65_536);
    const disconnects = [];
    c.on('disconnected', (d) => disconnects.push(d));
    const sub = c.subscribe('public:sdk-big');
    await nextEvent(sub, 'subscribed');

    await assert.rejects(c.publish('public:sdk-big', 'x'.repeat(70_000)),
      (err) => err.code === 'too_large' && /65536/.test(err.message) && err.type === 'publish');
    // Multi-byte text counts in UTF-8 bytes: 30,000 'é' are 60,000 bytes, under the limit; 40,000 are over.
    assert.equal(typeof (await c.publish('public:sdk-big', 'é'.repeat(30_000))).offset, 'number');
    await assert.rejects(c.publish('public:sdk-big', 'é'.repeat(40_000)), (err) => err.code === 'too_large');

    const ok = await c.publish('public:sdk-big', { small: true });
    assert.equal(ok.offset, 2);
    assert.equal(c.state, 'connected');
    assert.deepEqual(disconnects, []);
  });
});
