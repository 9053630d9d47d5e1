#!/usr/bin/env node
// Follows one Hubbub channel and prints every publication, without loss, however often the connection drops.
// The SDK reconnects with backoff, resubscribes with `since`, and the server replays what was missed; this
// script only checks that offsets arrive 1, 2, 3, … with no gap and no duplicate.
//
// Run (Node 22+ has a global WebSocket; Node 20 needs the flag):
//   HUBBUB_URL=ws://127.0.0.1:5080/ws HUBBUB_TOKEN=<jwt> HUBBUB_CHANNEL=public:demo \
//     node --experimental-websocket examples/js/resilient-subscriber.mjs
// Optional: HUBBUB_EXPECT=N exits (code 0) after N publications, code 1 on any gap or duplicate.
// Output: one JSON object per line.
import { HubbubClient } from '../../clients/js/src/hubbub.js';

const url = process.env.HUBBUB_URL ?? 'ws://127.0.0.1:5080/ws';
const token = process.env.HUBBUB_TOKEN;
const channel = process.env.HUBBUB_CHANNEL ?? 'public:demo';
const expect = Number(process.env.HUBBUB_EXPECT ?? 0);
if (!token) {
  console.error('set HUBBUB_TOKEN (mint one with: dotnet Hubbub.Server.dll token --user 42)');
  process.exit(2);
}
if (typeof globalThis.WebSocket !== 'function') {
  console.error('no global WebSocket: use Node 22+, or Node 20 with --experimental-websocket');
  process.exit(2);
}

const print = (event, fields = {}) => console.log(JSON.stringify({ event, ...fields }));
// Quick retries for a demo, and a breaker that rests 5 s (not the default 60 s) once 8 rounds in a row failed: with
// retries this quick, a server restart of a few seconds opens it, and the demo should catch up soon after.
const client = new HubbubClient(url, { token, backoffBaseMs: 100, backoffCapMs: 2000, circuitBreakerCooldownMs: 5000 });
let last = 0;
let received = 0;
let problems = 0;
let done = false;

client.on('connected', (w) => print('connected', { node: w.node }));
client.on('disconnected', (d) => print('disconnected', { code: d.code, willReconnect: d.willReconnect }));
client.on('reconnecting', (r) => print('reconnecting', { delay: r.delay }));
// The server refused us for good (e.g. 4403): nothing more will arrive.
client.on('closed', (c) => { if (!done) { print('closed', c); process.exit(1); } });

client.subscribe(channel, {
  subscribed: (s) => print('subscribed', { offset: s.offset, recovered: s.recovered }),
  reload: (r) => { print('reload', r); last = 0; },
  message: (p) => {
    if (last !== 0 && p.offset !== last + 1) {
      problems++;
      print('gap_or_duplicate', { expected: last + 1, got: p.offset });
    }
    last = p.offset;
    received++;
    print('message', { offset: p.offset, data: p.data });
    if (expect > 0 && received >= expect) {
      done = true;
      print('done', { received, problems });
      client.close();
      process.exit(problems === 0 ? 0 : 1);
    }
  },
});

client.connect();
