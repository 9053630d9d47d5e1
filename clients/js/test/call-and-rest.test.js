// `call(..., {queue: false})` for what must never be sent late, and `client.rest`, the REST API with the
// client's own token: against a real server (behind a proxy that cuts the network), plus a scripted HTTP
// server for the error shape features send (`reason`) that no built-in endpoint answers yet.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { serverBehindProxy } from '../testkit/fixture.js';
import { freePort } from '../testkit/server.js';
import { nextEvent, until } from '../testkit/wait.js';
import { HubbubError, HubbubRestError, restUrlFor } from '../src/hubbub.js';

describe('call and publish with queue:false', { timeout: 60_000 }, () => {
  const net = serverBehindProxy();
  const { server, pool } = net;

  it('fails at once while offline, is never sent later, while a queued one is', { timeout: 30_000 }, async () => {
    const watcher = pool.create(server.wsUrl, { token: server.token('watcher') });
    const seen = [];
    const watched = watcher.subscribe('public:bids', { message: (p) => seen.push(p.data.text) });
    await watcher.connect();
    await watched.ready();

    const bidder = pool.create(net.proxy.wsUrl, { token: server.token('bidder'), backoffBaseMs: 50, backoffCapMs: 200 });
    await bidder.connect();
    await bidder.publish('public:bids', { text: 'online' }, { queue: false });

    net.proxy.refuse();
    const down = nextEvent(bidder, 'reconnecting');
    net.proxy.cut();
    await down;
    const started = Date.now();
    await assert.rejects(bidder.publish('public:bids', { text: 'late bid' }, { queue: false }),
      (err) => err instanceof HubbubError && err.code === 'not_connected' && err.type === 'publish' && err.channel === 'public:bids');
    await assert.rejects(bidder.call('ping', { n: 1 }, { queue: false }), (err) => err.code === 'not_connected');
    assert.ok(Date.now() - started < 1000, 'rejected at once, not after a timeout');
    assert.equal(bidder.queued, 0, 'nothing waits in the offline queue');
    const queued = bidder.publish('public:bids', { text: 'queued' });
    assert.equal(bidder.queued, 1);

    net.proxy.pass();
    await queued;
    await until(() => seen.includes('queued'), 10_000, 'the queued publish delivered');
    // The watcher got everything the bidder sent, in order: the refused one is not among them.
    assert.deepEqual(seen, ['online', 'queued']);
  });

  it('is sent normally while connected, and a command with queue:false gets its reply', { timeout: 20_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token('p') });
    await c.connect();
    assert.deepEqual(await c.call('ping', { echo: 'x' }, { queue: false }), { echo: 'x' });
  });

  it('fails with not_connected before the first connect too', { timeout: 10_000 }, async () => {
    const c = pool.create(server.wsUrl, { token: server.token('q') });
    await assert.rejects(c.call('ping', {}, { queue: false }), (err) => err.code === 'not_connected');
    assert.equal(c.queued, 0);
  });
});

describe('client.rest against a real server', { timeout: 60_000 }, () => {
  const net = serverBehindProxy();
  const { server, pool } = net;

  it('derives the base URL from the WebSocket URL', () => {
    assert.equal(restUrlFor('ws://127.0.0.1:5080/ws'), 'http://127.0.0.1:5080');
    assert.equal(restUrlFor('wss://chat.example.com/hubbub/ws?x=1'), 'https://chat.example.com/hubbub');
    const c = pool.create(`http://127.0.0.1:${server.port}`, { token: 't' });
    assert.equal(c.rest.baseUrl, server.httpUrl);
    const custom = pool.create(server.wsUrl, { token: 't', restUrl: 'https://api.example.com/v1/' });
    assert.equal(custom.rest.baseUrl, 'https://api.example.com/v1');
  });

  it('calls the API with the same token, from getToken on each call', { timeout: 20_000 }, async () => {
    let tokens = 0;
    const ada = pool.create(server.wsUrl, { getToken: () => { tokens++; return server.token('ada', 'Ada'); } });
    const created = await ada.rest.post('/api/conversations', { participants: ['bob'] });
    assert.equal(created.kind, 'direct');
    assert.deepEqual(created.participants.map((p) => p.user).sort(), ['ada', 'bob']);
    const { conversations } = await ada.rest.get('/api/conversations', { query: { limit: 5, before: undefined } });
    assert.deepEqual(conversations.map((c) => c.id), [created.id]);
    assert.equal(tokens, 2, 'getToken asked once per call, so a refreshed token is used');

    // The WebSocket and REST see one user: a message sent over REST arrives on the subscription.
    await ada.connect();
    const sub = ada.subscribe(`conversation:${created.id}`);
    await sub.ready();
    const arrived = nextEvent(sub, 'message');
    const sent = await ada.rest.post(`/api/conversations/${created.id}/messages`, { text: 'over REST' });
    assert.equal((await arrived).data.id, sent.id);
  });

  it('turns error answers into HubbubRestError with code, status and message', { timeout: 20_000 }, async () => {
    const ada = pool.create(server.wsUrl, { token: server.token('ada2') });
    await assert.rejects(ada.rest.get('/api/conversations/999999999'),
      (err) => err instanceof HubbubRestError && err instanceof HubbubError && err.code === 'not_found' && err.status === 404
        && err.method === 'GET' && err.path === '/api/conversations/999999999' && typeof err.message === 'string' && err.message.length > 0);
    await assert.rejects(ada.rest.post('/api/conversations', { participants: 'not a list' }),
      (err) => err.code === 'bad_request' && err.status === 400);

    const forged = pool.create(server.wsUrl, { token: `${server.token('ada3').slice(0, -4)}AAAA` });
    await assert.rejects(forged.rest.get('/api/conversations'), (err) => err.code === 'unauthorized' && err.status === 401);
  });

  it('reports a server that cannot be reached as network_error, and a silent one as timeout', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const nobody = pool.create(`ws://127.0.0.1:${port}/ws`, { token: 't' });
    await assert.rejects(nobody.rest.get('/api/conversations'), (err) => err instanceof HubbubError && err.code === 'network_error');

    net.proxy.freeze();
    const frozen = pool.create(net.proxy.wsUrl, { token: server.token('f') });
    await assert.rejects(frozen.rest.get('/api/conversations', { timeoutMs: 300 }), (err) => err.code === 'timeout');
  });
});

describe('client.rest error shape of the features', { timeout: 20_000 }, () => {
  it('carries the feature reason (FEATURES.md) and maps a non-JSON error from its status', async () => {
    const seen = [];
    const scripted = http.createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization, type: req.headers['content-type'] });
      if (req.url === '/api/auctions/7/bids') {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'conflict', reason: 'bid_too_low', message: 'a bid must be at least 110' }));
      } else if (req.url === '/api/nothing') {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(415);
        res.end();
      }
    });
    await new Promise((resolve) => scripted.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = scripted.address();
      const pool = (await import('../testkit/clients.js')).ClientPool;
      const c = new pool().create(`ws://127.0.0.1:${port}/ws`, { token: 'jwt-1' });
      await assert.rejects(c.rest.post('/api/auctions/7/bids', { amount: 100 }),
        (err) => err instanceof HubbubRestError && err.code === 'conflict' && err.reason === 'bid_too_low'
          && err.status === 409 && err.message === 'a bid must be at least 110' && err.body.reason === 'bid_too_low');
      assert.equal(await c.rest.delete('/api/nothing'), null);
      await assert.rejects(c.rest.get('/api/other'), (err) => err.code === 'bad_request' && err.status === 415 && err.reason === undefined);
      assert.deepEqual(seen[0], { url: '/api/auctions/7/bids', auth: 'Bearer jwt-1', type: 'application/json' });
      assert.equal(seen[1].type, undefined, 'no body, no content type');
    } finally {
      scripted.close();
    }
  });
});
