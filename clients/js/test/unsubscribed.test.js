// The server ends a subscription (`unsubscribed`) when the user loses access: here for real, by leaving a group
// conversation through the messaging REST API. The subscription must end, reject later calls with `forbidden`,
// and stay gone after a reconnect.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serverBehindProxy } from '../testkit/fixture.js';
import { nextEvent, until } from '../testkit/wait.js';

const fast = { backoffBaseMs: 20, backoffCapMs: 200 };

describe('subscriptions the server ends', { timeout: 120_000 }, () => {
  // Messaging keeps conversations in SQLite, in the test server's own temporary data directory.
  const net = serverBehindProxy();
  const { server, pool } = net;

  /** A messaging REST request as `user`; returns {status, body}. */
  async function api(user, method, route, body) {
    const res = await fetch(`${server.httpUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${server.token(user)}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  it('ends the subscription when the user leaves the conversation, and never restores it after a reconnect', { timeout: 60_000 }, async () => {
    const created = await api('ada', 'POST', '/api/conversations', { kind: 'group', participants: ['cy', 'bob'], title: 'Team' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const channel = `conversation:${created.body.id}`;

    const cy = pool.create(net.proxy.wsUrl, { token: server.token('cy'), ...fast });
    const bob = pool.create(server.wsUrl, { token: server.token('bob'), ...fast });
    const ended = [];
    const cyMessages = [];
    const cyRoom = cy.subscribe(channel, { unsubscribed: (u) => ended.push(u), message: (p) => cyMessages.push(p.data) });
    const bobMessages = [];
    const bobRoom = bob.subscribe(channel, { message: (p) => bobMessages.push(p.data) });
    await Promise.all([cy.connect(), bob.connect()]);
    await Promise.all([cyRoom.ready(), bobRoom.ready()]);
    // Proof the subscription is live before the leave: cy sees a message.
    assert.equal((await api('ada', 'POST', `/api/conversations/${created.body.id}/messages`, { text: 'hello' })).status, 201);
    await until(() => cyMessages.length === 1, 10_000, 'cy sees the first message');

    const unsubscribed = nextEvent(cyRoom, 'unsubscribed');
    assert.equal((await api('cy', 'DELETE', `/api/conversations/${created.body.id}/participants/me`)).status, 204);
    assert.deepEqual(await unsubscribed, { reason: 'left the conversation' });
    assert.equal(cyRoom.state, 'ended');
    assert.equal(cyRoom.endReason, 'left the conversation');
    assert.equal(cy.getSubscription(channel), undefined);

    // Calls on the ended subscription fail at once with a typed error, without asking the server.
    await assert.rejects(cyRoom.publish({ text: 'still here?' }), (e) => e.name === 'HubbubError' && e.code === 'forbidden' && e.type === 'publish' && e.channel === channel);
    await assert.rejects(cyRoom.history(), (e) => e.code === 'forbidden' && e.type === 'history');
    await assert.rejects(cyRoom.presence(), (e) => e.code === 'forbidden' && e.type === 'presence');
    await assert.rejects(cyRoom.ready(), (e) => e.code === 'forbidden');
    assert.equal(cyRoom.typing(true), false);
    assert.equal(cyRoom.cursor({ x: 1 }), false);
    await cyRoom.unsubscribe(); // nothing left to do; no second event
    assert.equal(ended.length, 1);

    // A forced reconnect: the client restores its other subscriptions, not the ended one.
    const other = cy.subscribe('user:cy');
    await other.ready();
    const down = nextEvent(cy, 'disconnected');
    net.proxy.cut();
    assert.equal((await down).willReconnect, true);
    await nextEvent(other, 'subscribed', 15_000, (s) => s.resubscribed);
    assert.equal(cy.getSubscription(channel), undefined);
    assert.equal(cyRoom.state, 'ended');

    // The conversation goes on without cy: bob gets the next message, cy does not.
    assert.equal((await api('ada', 'POST', `/api/conversations/${created.body.id}/messages`, { text: 'after cy left' })).status, 201);
    await until(() => bobMessages.some((m) => m.text === 'after cy left'), 10_000, 'bob sees the message after the leave');
    // cy's own channel gets a publication after the message; it arriving first proves nothing more came on the old one.
    const marker = nextEvent(other, 'publication');
    await server.publish('user:cy', { marker: true });
    await marker;
    assert.deepEqual(cyMessages.map((m) => m.text), ['hello']);
    assert.equal(ended.length, 1);

    // Subscribing again is a new subscription, which the server refuses now that cy has no access.
    const again = cy.subscribe(channel);
    assert.notEqual(again, cyRoom);
    await assert.rejects(again.ready(), (e) => e.code === 'forbidden' && e.channel === channel);
  });
});
