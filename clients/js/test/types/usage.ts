// Compiled (not run) by types.test.js with `tsc --noEmit --strict`: the declarations describe the real API.
import { HubbubClient, HubbubError, HubbubRestError, backoffDelay, shouldReconnect, type Publication, type Welcome, type EventDataMap } from '../../src/hubbub.js';

const client = new HubbubClient('wss://chat.example.com/ws', {
  getToken: async () => 'jwt',
  WebSocket: globalThis.WebSocket,
  backoffBaseMs: 250,
  queueLimit: 50,
});
const offConnected = client.on('connected', (w: Welcome) => console.log(w.heartbeat_ms, w.user, w.expires_at));
client.on('token_refreshed', (r) => console.log(r.expires_at));
offConnected();
client.on('reconnecting', ({ delay, attempt }) => console.log(delay + attempt));
client.on('circuit_open', ({ failures, cooldownMs }) => console.log(failures, cooldownMs));
client.on('disconnected', ({ code, willReconnect }) => console.log(code, willReconnect));
client.on('auth_failed', (a) => console.log(a.status ?? a.code, a.willRetry));
client.on('queue_dropped', (d) => console.log(d.type));
client.on('transport_fallback', ({ from, to }) => console.log(from, to));
const inUse: 'websocket' | 'sse' | null = client.transport;
console.log(inUse, new HubbubClient('wss://h/ws', { token: 't', transports: ['sse', 'websocket'] }).state);

const room = client.subscribe('room:42', {
  message: (p: Publication) => console.log(p.offset, p.data, p.from?.name),
  typing: (t) => console.log(t.user, t.is_typing),
  reload: (r) => console.log(r.reason, r.epoch),
  bid: (p) => console.log(p.offset),
});
room.on('presence_join', (m) => console.log(m.name));
room.on('cursor', (c) => console.log(c.user, c['x']));
const sent: boolean = room.typing(true) && room.cursor({ x: 1, y: 2 });
console.log(sent, room.position?.epoch, room.state);
room.on('unsubscribed', (u) => console.log(u.reason ?? 'by the app', room.endReason));

async function main(): Promise<void> {
  await client.connect();
  await room.ready();
  const { offset } = await room.publish({ text: 'hi' }, { event: 'chat' });
  const history = await room.history({ since: { offset: offset - 10, epoch: 'e' }, limit: 10 });
  console.log(history.publications[0]?.offset, (await room.presence()).members[0]?.since);
  try {
    await client.call<{ ok: boolean }>('auction_bid', { amount: 5 }, { timeoutMs: 1000 });
  } catch (err) {
    if (err instanceof HubbubError && err.code === 'forbidden') console.log(err.channel, err.type);
  }
  await room.unsubscribe();
  client.close();
  console.log(backoffDelay(1, 500, 30_000, Math.random), shouldReconnect(4403));
}
void main();

// Typed feature events: the payload's data has the contract's shape.
const auction = client.subscribe('auction:7', {
  bid_placed: (p) => console.log(p.data.price, p.data.bid.amount, p.data.ends_at, p.offset),
  auction_ended: (p) => console.log(p.data.winner ?? 'no winner'),
});
auction.on('auction_extended', (p) => console.log(p.data.ends_at.length));
const me = client.subscribe('user:42');
me.on('xp_gained', (p) => console.log(p.data.amount + p.data.total, p.data.reason));
me.on('level_up', (p) => console.log(p.data.level > p.data.previous));
me.on('achievement_unlocked', (p) => console.log(p.data.rarity === 'legendary'));
me.on('wallet_updated', (p) => console.log(p.data.balances['coins'], p.data.held['coins']));
me.on('outbid', (p) => console.log(p.data.auction, p.data.price));
me.on('notification', (p) => console.log(p.data.id, p.data.read));
me.on('conversation_added', (p) => console.log(p.data.participants[0]?.name, p.data.unread_count));
client.subscribe('feed:42').on('friend_activity', (p) => console.log(p.data.activity.title, p.data.activity.like_count));
client.subscribe('venue:1').on('stats_update', (p) => console.log(p.data.stats.present + p.data.stats.peak_today));
const outbid: (p: Publication<EventDataMap['outbid']>) => void = (p) => console.log(p.data.price);
me.on('outbid', outbid);
// The events seeds 000 and 002 (examples/fitness, examples/learning-coach) read, with every field the server sends.
me.on('overtaken', (p) => console.log(p.data.board, p.data.by, p.data.name, p.data.rank + 1));
me.on('quest_completed', (p) => console.log(p.data.name, p.data.xp + 1));
me.on('module_completed', (p) => console.log(p.data.title.length, p.data.module));
me.on('course_completed', (p) => console.log(p.data.title.length));
me.on('progress_update', (p) => console.log(p.data.xp + p.data.percent, p.data.score ?? 'no score'));
client.subscribe('leaderboard:xp').on('leaderboard_change', (p) => console.log(p.data.board, p.data.period, p.data.entries[0]?.previous_rank));
const week = client.subscribe('challenge:7');
week.on('challenge_update', (p) => console.log(p.data.challenge, p.data.progress / p.data.goal));
week.on('challenge_left', (p) => console.log(p.data.challenge, p.data.user));
week.on('challenge_ended', (p) => console.log(p.data.standings[0]?.rank, p.data.completed_count, p.data.ended_at.length));
client.subscribe('room:study').on('member_progress', (p) => console.log(p.data.name, p.data.percent + 1, p.data.module ?? 'enrolled'));
// @ts-expect-error member_progress's percent is a number
client.subscribe('room:study').on('member_progress', (p) => { const s: string = p.data.percent; console.log(s); });
// Any other publication event is still accepted, untyped.
me.on('something_custom', (p) => console.log(p.data));

async function bidAndRest(): Promise<void> {
  // A typed command, never sent late.
  const placed = await client.call('auction.bid', { auction: '7', amount: 120 }, { queue: false });
  console.log(placed.price, placed.ends_at, placed.bid.amount, placed.leading, placed.min_next_bid);
  const proxy = await client.call('auction.bid', { auction: '7', max_amount: 300 });
  console.log(proxy.max_amount, proxy.bid.auto);
  try {
    await client.call('auction.bid', { auction: '7', amount: 1 });
  } catch (err) {
    if (err instanceof HubbubError && err.code === 'conflict' && err.reason === 'bid_too_low') console.log(err.message);
  }
  const sent = await client.call('chat.send', { conversation: '1', text: 'hi', client_id: 'c1' });
  console.log(sent.sender.name, sent.created_at);
  await client.publish('public:lobby', { text: 'now or never' }, { queue: false, event: 'shout' });
  // REST with the same token.
  const { conversations } = await client.rest.get<{ conversations: Array<{ id: string }> }>('/api/conversations', { query: { limit: 10 } });
  console.log(conversations[0]?.id, client.rest.baseUrl);
  try {
    await client.rest.post('/api/auctions/7/bids', { amount: 1 });
  } catch (err) {
    if (err instanceof HubbubRestError && err.code === 'conflict' && err.reason === 'bid_too_low') console.log(err.status, err.message);
    if (err instanceof HubbubError && err.code === 'not_connected') console.log('not sent');
  }
}
void bidAndRest();

// @ts-expect-error bid_placed data has no `amount` at the top level (it is `bid.amount`)
auction.on('bid_placed', (p) => console.log(p.data.amount));
// @ts-expect-error xp_gained's amount is a number
me.on('xp_gained', (p) => { const s: string = p.data.amount; console.log(s); });
// @ts-expect-error auction.bid's amount is a number
void client.call('auction.bid', { auction: '7', amount: '5' });
// @ts-expect-error the bid in the reply is an object
void client.call('auction.bid', { auction: '7', amount: 5 }).then((r) => { const id: string = r.bid; console.log(id); });
// @ts-expect-error queue is a boolean
void client.call('ping', {}, { queue: 'no' });

// @ts-expect-error a token or getToken is a string source, not a number
new HubbubClient('ws://x/ws', { token: 42 });
// @ts-expect-error polling is no transport
new HubbubClient('ws://x/ws', { token: 't', transports: ['polling'] });
// @ts-expect-error unknown client event
client.on('nonsense', () => {});
// @ts-expect-error typing takes a boolean
room.typing('yes');
