// Compiled (not run) by types.test.js with `tsc --noEmit --strict`: the declarations describe the real API.
import { HubbubClient, HubbubError, backoffDelay, shouldReconnect, type Publication, type Welcome } from '../../src/hubbub.js';

const client = new HubbubClient('wss://chat.example.com/ws', {
  getToken: async () => 'jwt',
  WebSocket: globalThis.WebSocket,
  backoffBaseMs: 250,
  queueLimit: 50,
});
const offConnected = client.on('connected', (w: Welcome) => console.log(w.heartbeat_ms, w.user));
offConnected();
client.on('reconnecting', ({ delay, attempt }) => console.log(delay + attempt));
client.on('circuit_open', ({ failures, cooldownMs }) => console.log(failures, cooldownMs));
client.on('disconnected', ({ code, willReconnect }) => console.log(code, willReconnect));
client.on('auth_failed', (a) => console.log(a.status ?? a.code, a.willRetry));
client.on('queue_dropped', (d) => console.log(d.type));

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

// @ts-expect-error a token or getToken is a string source, not a number
new HubbubClient('ws://x/ws', { token: 42 });
// @ts-expect-error unknown client event
client.on('nonsense', () => {});
// @ts-expect-error typing takes a boolean
room.typing('yes');
