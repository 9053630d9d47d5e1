// Close codes that forbid reconnecting, duplicate offsets and stream_reset, against a scripted stand-in server
// (the real server sends these only in rare conditions). The client's timers are fake: no waiting on delays.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptedServer, welcome, receivedFrame } from '../testkit/scripted-server.js';
import { ClientPool } from '../testkit/clients.js';
import { FakeClock } from '../testkit/clock.js';
import { nextEvent, until } from '../testkit/wait.js';
import { shouldReconnect } from '../src/hubbub.js';

describe('protocol edges', { timeout: 60_000 }, () => {
  const pool = new ClientPool();
  let server;
  afterEach(async () => {
    pool.closeAll();
    await server?.close();
  });

  it('classifies close codes: 1000 and 4400–4499 stop, everything else reconnects', () => {
    for (const code of [1000, 4400, 4403, 4499]) assert.equal(shouldReconnect(code), false, String(code));
    for (const code of [1001, 1006, 1008, 1009, 1011, 4000, 4001, 4029, 4500]) assert.equal(shouldReconnect(code), true, String(code));
  });

  for (const [code, authEvent] of [[4403, true], [1000, false]]) {
    it(`does not reconnect after the server closes with ${code}`, { timeout: 15_000 }, async () => {
      server = new ScriptedServer((socket) => {
        welcome(socket);
        setTimeout(() => socket.close(code, 'go away'), 20);
      });
      await server.listening();
      const clock = new FakeClock();
      const c = pool.create(server.wsUrl, { token: 't', timers: clock.api });
      const auth = [];
      c.on('auth_failed', (a) => auth.push(a));
      const closed = nextEvent(c, 'closed');
      await c.connect();
      assert.deepEqual(await closed, { code, reason: 'go away' });
      assert.equal(c.state, 'closed');
      assert.deepEqual(auth, authEvent ? [{ code, reason: 'go away', willRetry: false }] : []);
      clock.advance(120_000);
      assert.equal(server.connections, 1, 'no second attempt');
      await assert.rejects(c.publish('public:x', {}), (err) => err.code === 'closed');
    });
  }

  it('reconnects after 4000 (slow consumer) and answers server pings with pong', { timeout: 15_000 }, async () => {
    server = new ScriptedServer((socket, index) => {
      welcome(socket);
      if (index === 0) setTimeout(() => socket.close(4000, 'slow'), 20);
      else socket.send(JSON.stringify({ type: 'ping' }));
    });
    await server.listening();
    const clock = new FakeClock();
    const c = pool.create(server.wsUrl, { token: 't', timers: clock.api, random: () => 0 });
    await c.connect();
    const reconnecting = await nextEvent(c, 'reconnecting');
    assert.equal(reconnecting.delay, 0);
    const back = nextEvent(c, 'connected');
    clock.advance(0);
    await back;
    await receivedFrame(server, 'pong');
    assert.equal(server.connections, 2);
  });

  it('drops duplicate offsets, and on stream_reset asks for a reload and follows the new epoch', { timeout: 15_000 }, async () => {
    const pub = (offset, data) => JSON.stringify({ type: 'message', channel: 'public:d', offset, data });
    server = new ScriptedServer((socket) => {
      welcome(socket);
      socket.on('message', (raw) => {
        const f = JSON.parse(raw.toString());
        if (f.type !== 'subscribe') return;
        socket.send(JSON.stringify({ type: 'reply', id: f.id, data: { offset: 0, epoch: 'e1' } }));
        for (const o of [1, 2, 2, 1, 3]) socket.send(pub(o, `e1-${o}`));
        socket.send(JSON.stringify({ type: 'stream_reset', channel: 'public:d', data: { epoch: 'e2' } }));
        socket.send(pub(1, 'e2-1'));
        socket.send(pub(1, 'e2-1 again'));
        socket.send(pub(2, 'e2-2'));
      });
    });
    await server.listening();
    const c = pool.create(server.wsUrl, { token: 't' });
    const got = [];
    const reloads = [];
    c.subscribe('public:d', { message: (p) => got.push(p.data), reload: (r) => reloads.push(r) });
    await c.connect();
    await until(() => got.length >= 5, 5000, 'five distinct publications');
    assert.deepEqual(got, ['e1-1', 'e1-2', 'e1-3', 'e2-1', 'e2-2']);
    assert.deepEqual(reloads, [{ reason: 'stream_reset', epoch: 'e2' }]);
    assert.deepEqual(c.getSubscription('public:d').position, { offset: 2, epoch: 'e2' });
  });

  it('resubscribes with since after a reconnect and ignores replayed duplicates', { timeout: 15_000 }, async () => {
    server = new ScriptedServer((socket, index) => {
      welcome(socket);
      socket.on('message', (raw) => {
        const f = JSON.parse(raw.toString());
        if (f.type !== 'subscribe') return;
        socket.send(JSON.stringify({ type: 'reply', id: f.id, data: { offset: 2, epoch: 'e', ...(f.data.since ? { recovered: true } : {}) } }));
        if (index === 0) {
          socket.send(JSON.stringify({ type: 'message', channel: 'public:r', offset: 3, data: 3 }));
          setTimeout(() => socket.terminate(), 20);
        } else {
          // A replay that overlaps what the client already has.
          for (const o of [3, 4, 5]) socket.send(JSON.stringify({ type: 'message', channel: 'public:r', offset: o, data: o }));
        }
      });
    });
    await server.listening();
    const c = pool.create(server.wsUrl, { token: 't', backoffBaseMs: 1 });
    const got = [];
    c.subscribe('public:r', { message: (p) => got.push(p.offset) });
    await c.connect();
    await until(() => got.length >= 3, 5000, 'three publications across the reconnect');
    assert.deepEqual(got, [3, 4, 5]);
    const subscribes = server.received.filter((f) => f.type === 'subscribe');
    assert.deepEqual(subscribes.map((f) => f.data.since), [undefined, { offset: 3, epoch: 'e' }]);
  });

  it('treats a getToken that throws or hangs as a failed attempt and asks again', { timeout: 15_000 }, async () => {
    server = new ScriptedServer((socket) => welcome(socket));
    await server.listening();
    const clock = new FakeClock();
    let calls = 0;
    const getToken = () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('token service down'));
      if (calls === 2) return new Promise(() => {}); // never settles
      return Promise.resolve('fresh');
    };
    const c = pool.create(server.wsUrl, { getToken, timers: clock.api, random: () => 0, connectTimeoutMs: 5000 });
    const errors = [];
    c.on('error', (e) => errors.push(e.code));
    c.connect();
    await nextEvent(c, 'reconnecting');
    clock.advance(0);
    await until(() => calls === 2, 5000, 'second getToken call');
    const retry = nextEvent(c, 'reconnecting');
    clock.advance(5000);
    await retry;
    const connected = nextEvent(c, 'connected');
    clock.advance(1000);
    await connected;
    assert.equal(calls, 3);
    assert.deepEqual(errors, ['unauthorized', 'timeout']);
    assert.equal(server.connections, 1, 'only the good token opened a socket');
  });

  it('rejects a call that gets no reply within callTimeoutMs with timeout', { timeout: 15_000 }, async () => {
    server = new ScriptedServer((socket) => welcome(socket));
    await server.listening();
    const clock = new FakeClock();
    const c = pool.create(server.wsUrl, { token: 't', timers: clock.api, callTimeoutMs: 5000 });
    await c.connect();
    const call = c.call('silence', { a: 1 });
    await receivedFrame(server, 'silence');
    clock.advance(5000);
    await assert.rejects(call, (err) => err.code === 'timeout' && err.type === 'silence');
  });
});
