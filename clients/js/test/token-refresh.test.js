// Token refresh in place against a real server: the client refreshes its token through getToken ahead of `exp`
// (welcome.expires_at), the connection outlives every token without a reconnect, and a stream published meanwhile
// arrives whole; a token that expires anyway closes with 4401, after which getToken opens the next connection.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess } from '../testkit/server.js';
import { ClientPool } from '../testkit/clients.js';
import { nextEvent, until } from '../testkit/wait.js';
import { TOKEN_EXPIRED } from '../src/hubbub.js';

describe('token refresh', { timeout: 120_000 }, () => {
  const server = new ServerProcess({ env: { Hubbub__TokenExpiryGraceSeconds: '1' } });
  const pool = new ClientPool();
  before(() => server.start());
  after(async () => { pool.closeAll(); await server.stop(); });
  afterEach(() => pool.closeAll());

  /** A token of `user` expiring `seconds` from now. */
  const shortToken = (user, seconds) => server.token(user, `user ${user}`, { exp: Math.floor(Date.now() / 1000) + seconds });

  it('refreshes ahead of every expiry on the same connection while a stream arrives whole', { timeout: 60_000 }, async () => {
    let issued = 0;
    const c = pool.create(server.wsUrl, {
      getToken: () => { issued++; return shortToken('refresher', 4); },
      refreshBeforeExpiryMs: 2_000,
    });
    const connects = [];
    const refreshed = [];
    c.on('connecting', (e) => connects.push(e));
    c.on('token_refreshed', (r) => refreshed.push(r.expires_at));
    const got = [];
    const sub = c.subscribe('public:refresh-stream', { message: (p) => got.push(p.offset) });
    await c.connect();
    await sub.ready();
    const firstExpiry = c.welcome.expires_at;
    assert.equal(typeof firstExpiry, 'number');

    // About 8 s of publications, every 25 ms: spans two token lifetimes and several refreshes.
    let published = 0;
    const until8s = Date.now() + 8_000;
    while (Date.now() < until8s) {
      await server.publish('public:refresh-stream', { n: ++published });
      await new Promise((r) => setTimeout(r, 25));
    }
    await until(() => got.length >= published, 10_000, `all ${published} publications`);

    assert.deepEqual(got, Array.from({ length: published }, (_, i) => i + 1)); // no gap, no duplicate
    assert.equal(connects.length, 1, 'one connection all along, no reconnect');
    assert.ok(refreshed.length >= 3, `refreshed ${refreshed.length} times`);
    assert.ok(refreshed.at(-1) > firstExpiry + 4, 'the connection lives well past its first token');
    assert.equal(issued, refreshed.length + 1);
    assert.equal(c.state, 'connected');
  });

  it('after a 4401 (the refresh failed) reconnects with a fresh token from getToken and recovers', { timeout: 60_000 }, async () => {
    // The first token lives 2 s; every refresh gets a token the server refuses, until the connection is closed.
    let calls = 0;
    let lapsed = false;
    const c = pool.create(server.wsUrl, {
      getToken: () => (calls++ === 0 ? shortToken('lapser', 2) : lapsed ? shortToken('lapser', 3600) : 'not-a-jwt'),
      refreshBeforeExpiryMs: 1_000,
      backoffBaseMs: 20,
    });
    c.on('disconnected', () => { lapsed = true; });
    const errors = [];
    c.on('error', (e) => errors.push(e.code));
    const got = [];
    const sub = c.subscribe('public:lapse', { message: (p) => got.push(p.offset) });
    await c.connect();
    await sub.ready();
    await server.publish('public:lapse', { n: 1 });
    const closed = await nextEvent(c, 'disconnected', 15_000);
    assert.equal(closed.code, TOKEN_EXPIRED);
    assert.equal(closed.willReconnect, true);
    await server.publish('public:lapse', { n: 2 });
    await nextEvent(c, 'connected', 15_000);
    await until(() => got.length >= 2, 10_000, 'the publication missed while expired');
    await server.publish('public:lapse', { n: 3 });
    await until(() => got.length >= 3, 10_000, 'a live one after');
    assert.deepEqual(got, [1, 2, 3]);
    assert.ok(errors.includes('unauthorized'), `the refused refresh was reported: ${errors}`);
  });

  it('does not refresh a token that lives longer than a timer can wait (setTimeout would fire at once)', { timeout: 30_000 }, async () => {
    let issued = 0;
    const c = pool.create(server.wsUrl, { getToken: () => { issued++; return shortToken('long-lived', 400 * 24 * 3600); } });
    const refreshed = [];
    c.on('token_refreshed', (r) => refreshed.push(r));
    await c.connect();
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(issued, 1);
    assert.deepEqual(refreshed, []);
    assert.equal(c.state, 'connected');
  });

  it('a client with a fixed token is closed for good with 4401 when its token expires', { timeout: 30_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: shortToken('fixed', 2) });
    await c.connect();
    const closed = await nextEvent(c, 'closed', 15_000);
    assert.equal(closed.code, TOKEN_EXPIRED);
    assert.equal(c.state, 'closed');
  });
});
