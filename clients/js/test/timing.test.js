// Backoff, circuit breaker and heartbeat on a fake clock. The network is real (a real server behind a TCP
// proxy that refuses, cuts or freezes), only the client's timers are fake, so no test waits for a delay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serverBehindProxy } from '../testkit/fixture.js';
import { FakeClock } from '../testkit/clock.js';
import { nextEvent, until } from '../testkit/wait.js';
import { backoffDelay } from '../src/hubbub.js';

describe('backoff with full jitter', () => {
  it('draws uniformly below min(cap, base × 2^attempt)', () => {
    assert.equal(backoffDelay(0, 500, 30_000, () => 0), 0);
    assert.equal(backoffDelay(0, 500, 30_000, () => 0.999999), 499);
    assert.equal(backoffDelay(3, 500, 30_000, () => 0.5), 2000);
    assert.equal(backoffDelay(10, 500, 30_000, () => 0.5), 15_000, 'capped at 30 s by default');
    assert.equal(backoffDelay(1000, 500, 30_000, () => 0.999999), 29_999, 'huge attempts stay finite');
  });
});

describe('timing against a real server on a fake clock', { timeout: 120_000 }, () => {
  const net = serverBehindProxy();
  const { server, pool } = net;

  it('backs off exponentially with jitter up to the cap while the server is unreachable', { timeout: 30_000 }, async () => {
    const clock = new FakeClock();
    net.proxy.refuse();
    const c = pool.create(net.proxy.wsUrl, {
      token: server.token(1), timers: clock.api, random: () => 0.5,
      backoffBaseMs: 100, backoffCapMs: 1000, circuitBreakerThreshold: 100,
    });
    const delays = [];
    c.connect();
    let last = 0;
    for (let i = 0; i < 7; i++) {
      if (i > 0) clock.advance(last);
      const { delay } = await nextEvent(c, 'reconnecting');
      delays.push(delay);
      const attemptsBefore = net.proxy.accepted;
      clock.advance(delay - 1);
      assert.equal(net.proxy.accepted, attemptsBefore, 'no attempt before the delay has passed');
      last = 1;
    }
    assert.deepEqual(delays, [50, 100, 200, 400, 500, 500, 500]);
    assert.equal(c.failures, 7);

    net.proxy.pass();
    const connected = nextEvent(c, 'connected');
    clock.advance(1);
    await connected;
    assert.equal(c.failures, 0, 'a welcome resets the failure count');
  });

  it('opens the circuit breaker after N consecutive failures and retries after the cool-down', { timeout: 30_000 }, async () => {
    const clock = new FakeClock();
    net.proxy.refuse();
    const c = pool.create(net.proxy.wsUrl, {
      token: server.token(2), timers: clock.api, random: () => 0,
      circuitBreakerThreshold: 3, circuitBreakerCooldownMs: 60_000,
    });
    const opened = [];
    c.on('circuit_open', (o) => opened.push(o));
    c.connect();
    for (let i = 0; i < 2; i++) {
      const { delay } = await nextEvent(c, 'reconnecting');
      assert.equal(delay, 0);
      clock.advance(0);
    }
    const third = await nextEvent(c, 'reconnecting');
    assert.deepEqual(opened, [{ failures: 3, cooldownMs: 60_000 }]);
    assert.equal(third.delay, 60_000);
    const attempts = net.proxy.accepted;
    clock.advance(59_999);
    assert.equal(net.proxy.accepted, attempts, 'no attempt while the circuit is open');

    // The trial attempt after the cool-down fails too: the breaker opens again at once.
    clock.advance(1);
    const reopened = await nextEvent(c, 'reconnecting');
    assert.equal(reopened.delay, 60_000);
    assert.equal(opened.length, 2);

    net.proxy.pass();
    const connected = nextEvent(c, 'connected');
    clock.advance(60_000);
    await connected;
    assert.equal(c.failures, 0);
    assert.equal(c.state, 'connected');
  });

  it('declares a silent connection dead after 2 × heartbeat_ms and reconnects', { timeout: 30_000 }, async () => {
    const clock = new FakeClock();
    const c = pool.create(net.proxy.wsUrl, { token: server.token(3), timers: clock.api, random: () => 0 });
    await c.connect();
    const heartbeat = c.welcome.heartbeat_ms;
    assert.equal(heartbeat, 25_000);
    let drops = 0;
    c.on('disconnected', () => drops++);

    // A frame (here the answer to a ping) restarts the silence window.
    clock.advance(40_000);
    await c.call('ping');
    clock.advance(40_000);
    assert.equal(drops, 0, '40 s after the last frame is still alive');
    assert.equal(c.state, 'connected');

    net.proxy.freeze();
    const dead = nextEvent(c, 'disconnected');
    clock.advance(2 * heartbeat);
    const info = await dead;
    assert.equal(info.code, 4001);
    assert.equal(info.willReconnect, true);

    net.proxy.pass();
    const back = nextEvent(c, 'connected');
    clock.advance(0);
    await back;
  });
});

describe('heartbeat in real time', { timeout: 60_000 }, () => {
  // A server with a fast heartbeat: its pings keep an idle client alive; a frozen network kills it.
  const net = serverBehindProxy({ env: { Hubbub__HeartbeatMs: '200' } });
  const { server, pool } = net;

  it('stays up on the server pings, answers them, and detects a frozen network', { timeout: 30_000 }, async () => {
    const c = pool.create(net.proxy.wsUrl, { token: server.token(4), backoffBaseMs: 20 });
    let drops = 0;
    c.on('disconnected', () => drops++);
    await c.connect();
    assert.equal(c.welcome.heartbeat_ms, 200);
    // Idle for ~8 heartbeats: only the server's pings arrive, and they prove it alive.
    const started = Date.now();
    await until(() => Date.now() - started > 1600, 5_000, 'idle time');
    assert.equal(drops, 0);
    assert.equal(c.state, 'connected');

    net.proxy.freeze();
    const dead = await nextEvent(c, 'disconnected', 10_000);
    assert.equal(dead.code, 4001);
    net.proxy.pass();
    await nextEvent(c, 'connected', 10_000);
  });
});
