// The fitness app's backend (seed 000) on Hubbub alone: it keeps its users and decides what happened; Hubbub does
// XP, levels, achievements, quests, streaks, leaderboards, the challenge, the friends' feed and every live update.
// Node 20+, no packages. Run: see README.md.
import http from 'node:http';
import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HUBBUB = (process.env.HUBBUB_URL || 'http://127.0.0.1:5080').replace(/\/$/, '');
const API_KEY = process.env.HUBBUB_API_KEY || 'change-me-too';
const SIGNING_KEY = process.env.HUBBUB_SIGNING_KEY || 'change-me-to-a-long-random-secret';
const PORT = Number(process.env.PORT || 3000);
const here = path.dirname(fileURLToPath(import.meta.url));

// The app's own users (its database, in a real app): id → display name. Ada, Bob and Cy are friends.
const USERS = { ada: 'Ada', bob: 'Bob', cy: 'Cy' };

/** A call to Hubbub's server API with the API key; throws with Hubbub's own error message. */
async function hubbub(method, url, body) {
  const res = await fetch(HUBBUB + url, {
    method,
    headers: { 'x-api-key': API_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw Object.assign(new Error(`${method} ${url} → ${res.status} ${text}`), { status: res.status, body: json });
  return json;
}

/** An HS256 JWT for the browser, signed with Hubbub's Auth:SigningKey: the app decides who the user is. */
function token(user) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = { sub: user, name: USERS[user], exp: Math.floor(Date.now() / 1000) + 3600 };
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', Buffer.from(SIGNING_KEY, 'utf8')).update(unsigned).digest('base64url')}`;
}

let challengeId = null;

/** What the app sets up once (every call is idempotent, so it runs on every start). */
async function setUp() {
  for (const [user, name] of Object.entries(USERS)) await hubbub('PATCH', `/api/users/${user}`, { name });
  // Friendships: a request, then the other's request accepts it.
  for (const [a, b] of [['ada', 'bob'], ['ada', 'cy'], ['bob', 'cy']]) {
    await hubbub('POST', `/api/friends?user=${a}`, { user: b });
    await hubbub('POST', `/api/friends?user=${b}`, { user: a });
  }
  // A workout becomes a card in the friends' feeds (Hubbub's social activity rule, not the app's code).
  await hubbub('POST', '/api/activity-rules', { type: 'workout.completed', title: '{name} ran {km} km', description: 'in {minutes} min' });
  // This week's challenge (dated, so it is created here and not in rules.json); reused when one is running.
  const { challenges } = await hubbub('GET', '/api/challenges?state=current&type=workout.completed');
  const running = challenges.find((c) => c.title === '10 km this week');
  if (running) {
    challengeId = running.id;
  } else {
    const now = Date.now();
    const created = await hubbub('POST', '/api/challenges', {
      title: '10 km this week', type: 'workout.completed', field: 'km', goal: 10,
      starts_at: new Date(now - 60_000).toISOString(), ends_at: new Date(now + 7 * 86_400_000).toISOString(),
    });
    challengeId = created.id;
  }
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(type === 'application/json' ? JSON.stringify(body) : body);
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

const pages = { '/': ['index.html', 'text/html; charset=utf-8'], '/app.js': ['app.js', 'text/javascript'], '/style.css': ['style.css', 'text/css'] };

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const page = pages[url.pathname];
  if (req.method === 'GET' && page) return send(res, 200, await readFile(path.join(here, 'public', page[0])), page[1]);
  if (url.pathname === '/favicon.ico') return send(res, 204, '', 'image/x-icon');

  // Sign-in (a demo: pick a user; a real app checks its session here) → what the page needs to reach Hubbub.
  if (req.method === 'POST' && url.pathname === '/api/session') {
    const { user } = await readJson(req);
    if (!USERS[user]) return send(res, 404, { error: `no user '${user}'` });
    return send(res, 200, { user, name: USERS[user], token: token(user), hubbub: HUBBUB, challenge: challengeId });
  }

  // A finished workout: the app records it (here: nowhere) and tells Hubbub what happened, once (the id).
  if (req.method === 'POST' && url.pathname === '/api/workouts') {
    const { user, minutes, km } = await readJson(req);
    if (!USERS[user]) return send(res, 404, { error: `no user '${user}'` });
    const answer = await hubbub('POST', '/api/events', {
      id: `workout-${randomUUID()}`, user, type: 'workout.completed', data: { minutes: Number(minutes), km: Number(km) },
    });
    return send(res, 200, answer);
  }

  // Reads the page shows at start: the profile (XP, level, achievements, quests, streaks) and the achievements'
  // rarity. Hubbub's REST answers no cross-origin browser calls, so the backend reads them with its key.
  const profile = url.pathname.match(/^\/api\/profile\/([a-z]+)$/);
  if (req.method === 'GET' && profile && USERS[profile[1]]) {
    const [me, { achievements }] = await Promise.all([
      hubbub('GET', `/api/users/${profile[1]}/profile`),
      hubbub('GET', `/api/achievements?user=${profile[1]}`),
    ]);
    return send(res, 200, { ...me, catalog: achievements.filter((a) => !a.hidden || a.unlocked) });
  }
  return send(res, 404, { error: 'not found' });
}

await setUp();
http.createServer((req, res) => {
  handle(req, res).catch((err) => send(res, err.status && err.status < 500 ? err.status : 502, { error: err.message, hubbub: err.body ?? null }));
}).listen(PORT, '127.0.0.1', () => console.log(`fitness app on http://127.0.0.1:${PORT} (Hubbub at ${HUBBUB})`));
