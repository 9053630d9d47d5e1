// The SDK against a real server: fan-out, typed errors, presence, typing, cursors, history.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess } from '../testkit/server.js';
import { ClientPool } from '../testkit/clients.js';
import { nextEvent, until } from '../testkit/wait.js';
import { HubbubError } from '../src/hubbub.js';

describe('features against a real server', { timeout: 60_000 }, () => {
  const server = new ServerProcess();
  const pool = new ClientPool();
  before(() => server.start());
  after(() => server.stop());
  afterEach(() => pool.closeAll());

  it('fans a publication out to every subscribed client, in order', { timeout: 20_000 }, async () => {
    const received = [[], [], []];
    const subs = received.map((list, i) => {
      const c = pool.create(server.wsUrl, { token: server.token(100 + i) });
      const sub = c.subscribe('public:fanout', { message: (p) => list.push(p) });
      c.connect();
      return sub;
    });
    await Promise.all(subs.map((s) => s.ready()));
    const publisher = pool.create(server.wsUrl, { token: server.token(7, 'Ada') });
    await publisher.connect();
    for (let i = 1; i <= 5; i++) await publisher.publish('public:fanout', { n: i });
    await until(() => received.every((l) => l.length === 5), 10_000, 'all five at every client');
    for (const list of received) {
      assert.deepEqual(list.map((p) => p.data.n), [1, 2, 3, 4, 5]);
      assert.deepEqual(list.map((p) => p.offset), [1, 2, 3, 4, 5]);
      assert.deepEqual(list[0].from, { user: '7', name: 'Ada' });
      assert.equal(list[0].type, 'message');
    }
  });

  it('delivers custom event types to their handler and to publication', { timeout: 20_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token(1) });
    const bids = [];
    const all = [];
    const sub = c.subscribe('public:auction', { bid: (p) => bids.push(p), publication: (p) => all.push(p) });
    await c.connect();
    await sub.ready();
    await sub.publish({ amount: 10 }, { event: 'bid' });
    await server.publish('public:auction', { note: 'from the backend' });
    await until(() => all.length === 2, 10_000, 'two publications');
    assert.equal(bids.length, 1);
    assert.equal(bids[0].data.amount, 10);
    assert.equal(all[1].from, undefined, 'server API publications carry no sender');
  });

  it('rejects refused requests with a typed HubbubError carrying the code', { timeout: 20_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token(42) });
    await c.connect();
    const forbidden = c.subscribe('user:999');
    await assert.rejects(forbidden.ready(), (err) => err instanceof HubbubError && err.code === 'forbidden' && err.channel === 'user:999');
    assert.equal(forbidden.state, 'refused');
    assert.equal(c.getSubscription('user:999'), undefined, 'a refused subscription is not restored later');
    await assert.rejects(c.call('no_such_command', {}), (err) => err instanceof HubbubError && err.code === 'bad_request' && err.type === 'no_such_command');
    await assert.rejects(c.publish('public:x', { big: 'y'.repeat(100) }, { event: 'BAD EVENT' }), (err) => err.code === 'bad_request');
    await assert.rejects(c.publish('nowhere:x', {}), (err) => err.code === 'not_found' || err.code === 'forbidden' || err.code === 'bad_request');
    assert.deepEqual(await c.call('ping', { n: 1 }), { n: 1 }, 'a pong carrying the id answers a ping call');
    // The connection is still usable after errors.
    const own = c.subscribe('user:42');
    await own.ready();
    assert.equal(c.state, 'connected');
  });

  it('carries a feature refusal\'s reason on the error, as REST does', { timeout: 20_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token(4242, 'Ada') });
    await c.connect();
    // A new user's wallet is empty: the transfer is refused with conflict and its reason.
    await assert.rejects(c.call('wallet.transfer', { to: '4343', currency: 'coins', amount: 600, id: 't-reason' }),
      (err) => err instanceof HubbubError && err.code === 'conflict' && err.reason === 'insufficient_funds' && err.type === 'wallet.transfer');
    // An error without a reason leaves it undefined.
    await assert.rejects(c.call('no_such_command', {}), (err) => err.code === 'bad_request' && err.reason === undefined);
  });

  it('shows presence joins and leaves, typing and cursors between two users', { timeout: 20_000 }, async () => {
    const a = pool.create(server.wsUrl, { token: server.token(1, 'Ann') });
    const b = pool.create(server.wsUrl, { token: server.token(2, 'Bob') });
    const subA = a.subscribe('public:room-1');
    await a.connect();
    await subA.ready();
    const joined = nextEvent(subA, 'presence_join', 10_000, (d) => d.user === '2');
    const subB = b.subscribe('public:room-1');
    await b.connect();
    await subB.ready();
    assert.deepEqual(await joined, { user: '2', name: 'Bob' });
    const members = (await subA.presence()).members.map((m) => m.user).sort();
    assert.deepEqual(members, ['1', '2']);

    const typing = nextEvent(subA, 'typing', 10_000, (d) => d.is_typing);
    assert.equal(subB.typing(true), true);
    assert.deepEqual(await typing, { user: '2', name: 'Bob', is_typing: true });

    const cursor = nextEvent(subA, 'cursor', 10_000);
    subB.cursor({ x: 3, y: 4 });
    const seen = await cursor;
    assert.equal(seen.user, '2');
    assert.equal(seen.x, 3);
    assert.equal(seen.y, 4);

    const left = nextEvent(subA, 'presence_leave', 10_000, (d) => d.user === '2');
    await subB.unsubscribe();
    assert.deepEqual(await left, { user: '2', name: 'Bob' });
  });

  it('reads history and refuses ephemeral sends while offline', { timeout: 20_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token(5) });
    assert.equal(c.typing('public:h', true), false, 'not connected: not sent, not queued');
    await c.connect();
    for (let i = 0; i < 3; i++) await c.publish('public:h', { i });
    const h = await c.history('public:h', { limit: 2 });
    assert.deepEqual(h.publications.map((p) => p.data.i), [1, 2]);
    assert.equal(h.offset, 3);
    assert.equal(typeof h.epoch, 'string');
  });

  it('refuses a static token the server rejects: auth_failed, closed, no retry', { timeout: 20_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: 'not.a.jwt' });
    const auth = nextEvent(c, 'auth_failed');
    const connecting = assert.rejects(c.connect(), (err) => err.code === 'unauthorized');
    const info = await auth;
    assert.equal(info.status, 401);
    assert.equal(info.willRetry, false);
    await connecting;
    assert.equal(c.state, 'closed');
  });

  it('serves the SDK itself at /sdk/hubbub.js and /sdk/hubbub.d.ts', { timeout: 20_000 }, async () => {
    const { readFile } = await import('node:fs/promises');
    const js = await fetch(`${server.httpUrl}/sdk/hubbub.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.equal(await js.text(), await readFile(new URL('../src/hubbub.js', import.meta.url), 'utf8'),
      'the server serves the current SDK (rebuild it: dotnet build src/Hubbub.Server -c Release)');
    assert.equal(js.headers.get('access-control-allow-origin'), '*', 'pages on other origins may import it');
    const dts = await fetch(`${server.httpUrl}/sdk/hubbub.d.ts`);
    assert.equal(dts.status, 200);
    assert.match(await dts.text(), /export declare class HubbubClient/);
    const missing = await fetch(`${server.httpUrl}/sdk/other.js`);
    assert.equal(missing.status, 404);
  });
});
