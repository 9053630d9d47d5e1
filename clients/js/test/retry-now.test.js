// retryNow(): a "retry now" button during a long outage tries at once instead of waiting out the backoff or the
// circuit breaker's cool-down. Real server behind a proxy, fake clock for the client: no test waits for a delay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serverBehindProxy } from '../testkit/fixture.js';
import { FakeClock } from '../testkit/clock.js';
import { nextEvent } from '../testkit/wait.js';

describe('retryNow against a real server on a fake clock', { timeout: 60_000 }, () => {
  const net = serverBehindProxy();
  const { server, pool } = net;

  it('skips the open circuit breaker cool-down, and does nothing while connected', { timeout: 30_000 }, async () => {
    const clock = new FakeClock();
    net.proxy.refuse();
    const c = pool.create(net.proxy.wsUrl, {
      token: server.token('r'), timers: clock.api, random: () => 0, circuitBreakerThreshold: 1, circuitBreakerCooldownMs: 60_000,
    });
    const opened = nextEvent(c, 'circuit_open');
    c.connect();
    assert.equal((await opened).cooldownMs, 60_000);
    assert.equal(c.state, 'reconnecting');

    net.proxy.pass();
    const connected = nextEvent(c, 'connected');
    assert.equal(c.retryNow(), true);
    await connected; // the fake clock never moved: the minute's wait was skipped
    assert.equal(c.state, 'connected');
    assert.equal(c.retryNow(), false, 'nothing to retry while connected');
  });
});
