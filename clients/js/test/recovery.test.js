// Reconnect and recovery against a real server: the network is cut through a TCP proxy, or the server
// process itself is restarted on the same port.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serverBehindProxy } from '../testkit/fixture.js';
import { nextEvent, until } from '../testkit/wait.js';

const fast = { backoffBaseMs: 20, backoffCapMs: 200 };

describe('reconnect and recovery', { timeout: 120_000 }, () => {
  const net = serverBehindProxy();
  const { server, pool } = net;

  it('recovers every publication missed while the connection was down: no gap, no duplicate', { timeout: 30_000 }, async () => {
    const c = pool.create(net.proxy.wsUrl, { token: server.token(1), ...fast });
    const got = [];
    const reloads = [];
    const sub = c.subscribe('public:gapless', { message: (p) => got.push(p.offset), reload: (r) => reloads.push(r) });
    await c.connect();
    await sub.ready();
    for (let i = 1; i <= 3; i++) await server.publish('public:gapless', { i });
    await until(() => got.length === 3, 10_000, 'three live publications');

    net.proxy.refuse();
    const down = nextEvent(c, 'disconnected');
    net.proxy.cut();
    assert.equal((await down).willReconnect, true);
    for (let i = 4; i <= 8; i++) await server.publish('public:gapless', { i });
    const resubscribed = nextEvent(sub, 'subscribed', 15_000, (s) => s.resubscribed);
    net.proxy.pass();
    const info = await resubscribed;
    assert.equal(info.recovered, true);
    await until(() => got.length >= 8, 10_000, 'the five missed publications');
    await server.publish('public:gapless', { i: 9 });
    await until(() => got.length >= 9, 10_000, 'a live one after recovery');
    assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(reloads, []);
    assert.deepEqual(sub.position.offset, 9);
  });

  it('rejects requests in flight when the connection drops with disconnected', { timeout: 30_000 }, async () => {
    const c = pool.create(net.proxy.wsUrl, { token: server.token(2), ...fast });
    await c.connect();
    net.proxy.freeze();
    const pending = c.publish('public:inflight', { lost: 'maybe' });
    net.proxy.cut();
    await assert.rejects(pending, (err) => err.code === 'disconnected' && err.type === 'publish');
  });

  it('queues publishes and calls while offline and flushes them in order after reconnect', { timeout: 30_000 }, async () => {
    const watcher = pool.create(server.wsUrl, { token: server.token(3) });
    const seen = [];
    const watch = watcher.subscribe('public:queued', { message: (p) => seen.push(p.data.n) });
    await watcher.connect();
    await watch.ready();

    const c = pool.create(net.proxy.wsUrl, { token: server.token(4), ...fast });
    await c.connect();
    net.proxy.refuse();
    const down = nextEvent(c, 'disconnected');
    net.proxy.cut();
    await down;
    const results = [1, 2, 3].map((n) => c.publish('public:queued', { n }));
    const presence = c.presence('public:queued');
    assert.equal(c.queued, 4);
    net.proxy.pass();
    const offsets = (await Promise.all(results)).map((r) => r.offset);
    assert.deepEqual(offsets, [offsets[0], offsets[0] + 1, offsets[0] + 2], 'sent in order');
    assert.ok(Array.isArray((await presence).members));
    await until(() => seen.length === 3, 10_000, 'the watcher sees the flushed publications');
    assert.deepEqual(seen, [1, 2, 3]);
    assert.equal(c.queued, 0);
  });

  it('drops the oldest queued request beyond queueLimit, with an event and a typed rejection', { timeout: 30_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token(5), queueLimit: 2 });
    const dropped = [];
    c.on('queue_dropped', (d) => dropped.push(d));
    const first = c.publish('public:overflow', { n: 1 });
    const second = c.publish('public:overflow', { n: 2 });
    const third = c.publish('public:overflow', { n: 3 });
    await assert.rejects(first, (err) => err.code === 'queue_overflow');
    assert.deepEqual(dropped, [{ type: 'publish', data: { channel: 'public:overflow', data: { n: 1 } } }]);
    await c.connect();
    const [a, b] = await Promise.all([second, third]);
    assert.equal(b.offset, a.offset + 1);
  });

  it('calls getToken again on every reconnect, and retries after a refused token', { timeout: 30_000 }, async () => {
    const tokens = ['wrong.token.value', server.token(6, 'first'), server.token(6, 'second')];
    let calls = 0;
    const c = pool.create(net.proxy.wsUrl, { getToken: async () => tokens[calls++], ...fast });
    const auth = nextEvent(c, 'auth_failed');
    const connected = nextEvent(c, 'connected');
    c.connect();
    assert.deepEqual(await auth, { status: 401, reason: 'Unexpected server response: 401', willRetry: true });
    assert.equal((await connected).name, 'first');
    assert.equal(calls, 2);

    const again = nextEvent(c, 'connected');
    net.proxy.cut();
    assert.equal((await again).name, 'second', 'the reconnect used the refreshed token');
    assert.equal(calls, 3);
  });

  it('asks the app to reload when a restarted server lost the history (recovered:false)', { timeout: 60_000 }, async () => {
    // Fast retries for a server that may take seconds to start: keep the breaker out of this test.
    const c = pool.create(server.wsUrl, { token: server.token(7), ...fast, circuitBreakerThreshold: 10_000 });
    const got = [];
    const sub = c.subscribe('public:restart', { message: (p) => got.push(p) });
    await c.connect();
    await sub.ready();
    await server.publish('public:restart', { before: true });
    await until(() => got.length === 1, 10_000, 'one publication before the restart');
    const oldEpoch = sub.position.epoch;

    const reload = nextEvent(sub, 'reload', 45_000);
    await server.restart();
    const info = await reload;
    assert.equal(info.reason, 'not_recovered');
    assert.notEqual(info.epoch, oldEpoch);
    assert.equal(sub.state, 'subscribed');
    // The new stream starts at offset 1 again and is delivered, not mistaken for duplicates.
    await server.publish('public:restart', { after: true });
    await until(() => got.length === 2, 10_000, 'the first publication of the new epoch');
    assert.deepEqual([got[1].offset, got[1].data], [1, { after: true }]);
  });
});
