// The HTTP fallback transport (Server-Sent Events + POST) against a real server: chosen on its own when a proxy
// refuses the WebSocket upgrade, remembered for the page, same API, and recovery after a cut.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HubbubClient, SseSocket } from '../src/hubbub.js';
import { serverBehindProxy } from '../testkit/fixture.js';
import { nextEvent, until } from '../testkit/wait.js';

const fast = { backoffBaseMs: 20, backoffCapMs: 200 };

describe('transports option', () => {
  it('refuses unknown or empty transports', () => {
    assert.throws(() => new HubbubClient('ws://127.0.0.1:1/ws', { token: 't', transports: [] }), TypeError);
    assert.throws(() => new HubbubClient('ws://127.0.0.1:1/ws', { token: 't', transports: ['polling'] }), TypeError);
  });

  it('needs no WebSocket implementation when only sse is allowed', () => {
    const c = new HubbubClient('ws://127.0.0.1:1/ws', { token: 't', transports: ['sse'], WebSocket: undefined });
    assert.equal(c.transport, null);
  });

  it('derives the stream URL from the WebSocket URL and keeps the token out of it', () => {
    const fetch = () => new Promise(() => {});
    const socket = new SseSocket('wss://chat.example.com/prefix/ws?access_token=abc', { fetch });
    assert.equal(socket.url, 'https://chat.example.com/prefix/ws/sse');
    assert.equal(socket.readyState, 0);
    socket.close();
    assert.equal(socket.readyState, 3);
  });
});

describe('HTTP fallback against a real server', { timeout: 120_000 }, () => {
  const net = serverBehindProxy();
  const { server, pool } = net;

  // First: no other test of this file has used the proxy's URL yet, so nothing is remembered for it.
  it('falls back on its own when a proxy refuses the upgrade, and remembers the working transport', { timeout: 30_000 }, async () => {
    net.proxy.blockWebSockets = true;
    try {
      const c = pool.create(net.proxy.wsUrl, { token: server.token('sse-4'), ...fast });
      const fallback = nextEvent(c, 'transport_fallback');
      const attempts = [];
      c.on('connecting', (e) => attempts.push(e.attempt));
      await c.connect();
      assert.deepEqual([(await fallback).from, (await fallback).to], ['websocket', 'sse']);
      assert.deepEqual(attempts, [1, 1], 'the fallback is the same attempt on the next transport');
      assert.equal(c.transport, 'sse');
      assert.equal(net.proxy.refusedUpgrades, 1);
      assert.equal((await c.publish('public:fallback-auto', { n: 1 })).offset, 1);

      // A second client on this page goes straight to sse: no second upgrade refused.
      const again = pool.create(net.proxy.wsUrl, { token: server.token('sse-5'), ...fast });
      await again.connect();
      assert.equal(again.transport, 'sse');
      assert.equal(net.proxy.refusedUpgrades, 1);
    } finally {
      net.proxy.blockWebSockets = false;
    }
  });

  it('with sse only: subscribes, publishes in order and receives, with the same API', { timeout: 30_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token('sse-1'), transports: ['sse'] });
    const got = [];
    const sub = c.subscribe('public:fallback-basic', { message: (p) => got.push(p.data.n) });
    await c.connect();
    assert.equal(c.transport, 'sse');
    await sub.ready();
    // Sent in one tick: one POST carries them, and the offsets come back in order.
    const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => c.publish('public:fallback-basic', { n })));
    assert.deepEqual(replies.map((r) => r.offset), [1, 2, 3, 4, 5]);
    await until(() => got.length === 5, 10_000, 'five publications');
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
    await server.publish('public:fallback-basic', { n: 6 });
    await until(() => got.length === 6, 10_000, 'a server publication');
    const refused = await c.call('subscribe', { channel: 'user:someone-else' }).catch((e) => e);
    assert.equal(refused.code, 'forbidden');
  });

  it('a too-large frame is refused on its own, and the session goes on', { timeout: 30_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token('sse-2'), transports: ['sse'] });
    await c.connect();
    const big = c.publish('public:fallback-big', { blob: 'x'.repeat(70_000) });
    const small = c.publish('public:fallback-big', { ok: true });
    await assert.rejects(big, (err) => err.code === 'too_large');
    assert.equal((await small).offset, 1);
    assert.equal(c.state, 'connected');
  });

  it('a refused token is auth_failed with status 401, as on the WebSocket', { timeout: 30_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: 'not-a-jwt', transports: ['sse'] });
    const failed = nextEvent(c, 'auth_failed');
    await assert.rejects(c.connect(), (err) => err.code === 'unauthorized');
    assert.equal((await failed).status, 401);
  });

  it('recovers after the stream is cut: no gap, no duplicate', { timeout: 30_000 }, async () => {
    const c = pool.create(net.proxy.wsUrl, { token: server.token('sse-3'), transports: ['sse'], ...fast });
    const got = [];
    const sub = c.subscribe('public:fallback-recover', { message: (p) => got.push(p.data.i) });
    await c.connect();
    await sub.ready();
    await server.publish('public:fallback-recover', { i: 1 });
    await until(() => got.length === 1, 10_000, 'the first publication');

    net.proxy.refuse();
    const down = nextEvent(c, 'disconnected');
    net.proxy.cut();
    assert.equal((await down).willReconnect, true);
    for (let i = 2; i <= 4; i++) await server.publish('public:fallback-recover', { i });
    const resubscribed = nextEvent(sub, 'subscribed', 15_000, (s) => s.resubscribed);
    net.proxy.pass();
    assert.equal((await resubscribed).recovered, true);
    await until(() => got.length >= 4, 10_000, 'the missed publications');
    assert.deepEqual(got, [1, 2, 3, 4]);
    assert.equal(c.transport, 'sse');
  });

});
