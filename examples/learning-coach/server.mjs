// The learning coach's backend (seed 002) on Hubbub alone: it defines the course and the study group, decides when a
// learner has done a task, and tells Hubbub; Hubbub keeps the progress, gives XP, unlocks achievements, ranks the
// learners and carries the study group's chat, typing, presence and cursors. Node 20+, no packages. Run: see README.md.
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HUBBUB = (process.env.HUBBUB_URL || 'http://127.0.0.1:5080').replace(/\/$/, '');
const API_KEY = process.env.HUBBUB_API_KEY || 'change-me-too';
const SIGNING_KEY = process.env.HUBBUB_SIGNING_KEY || 'change-me-to-a-long-random-secret';
const PORT = Number(process.env.PORT || 3001);
const here = path.dirname(fileURLToPath(import.meta.url));

const USERS = { ada: 'Ada', bob: 'Bob', cy: 'Cy' };
const COURSE = 'js-basics';
const ROOM = 'js-study-group';

/** A call to Hubbub's server API with the API key; throws with Hubbub's own error (status, code, reason). */
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

/** Runs a create that may already have happened on an earlier start (409 with that reason is fine). */
async function once(reason, create) {
  try {
    await create();
  } catch (err) {
    if (err.body?.reason !== reason) throw err;
  }
}

function token(user) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = { sub: user, name: USERS[user], exp: Math.floor(Date.now() / 1000) + 3600 };
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', Buffer.from(SIGNING_KEY, 'utf8')).update(unsigned).digest('base64url')}`;
}

async function setUp() {
  for (const [user, name] of Object.entries(USERS)) await hubbub('PATCH', `/api/users/${user}`, { name });
  // The course: modules unlock in order; each task's xp is what task.completed announces (rules.json gives it).
  await once('course_exists', () => hubbub('POST', '/api/courses', {
    id: COURSE, title: 'JavaScript basics',
    modules: [
      { key: 'intro', title: 'Introduction', tasks: [{ key: 'values', title: 'Values', xp: 10 }, { key: 'variables', title: 'Variables', xp: 10 }] },
      { key: 'functions', title: 'Functions', prerequisites: ['intro'], tasks: [{ key: 'declare', title: 'Declaring', xp: 20 }, { key: 'closures', title: 'Closures', xp: 30 }] },
      { key: 'async', title: 'Async', prerequisites: ['functions'], tasks: [{ key: 'promises', title: 'Promises', xp: 40 }] },
    ],
  }));
  // The study group: a room Ada owns with Bob and Cy, linked to the course so every member's progress shows there.
  await once('room_exists', () => hubbub('POST', '/api/rooms', { id: ROOM, title: 'JS study group', members: ['bob', 'cy'], user: 'ada' }));
  await hubbub('POST', `/api/courses/${COURSE}/rooms`, { room: ROOM, user: 'ada' });
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

  if (req.method === 'POST' && url.pathname === '/api/session') {
    const { user } = await readJson(req);
    if (!USERS[user]) return send(res, 404, { error: `no user '${user}'` });
    return send(res, 200, { user, name: USERS[user], token: token(user), hubbub: HUBBUB, course: COURSE, room: ROOM });
  }

  // The learner finished a task (the app checked the answer): Hubbub records it once, raises task.completed (XP by
  // rule), module.completed and course.completed when they happen, and moves the progress live.
  const task = url.pathname.match(/^\/api\/tasks\/([a-z]+)\/complete$/);
  if (req.method === 'POST' && task) {
    const { user } = await readJson(req);
    if (!USERS[user]) return send(res, 404, { error: `no user '${user}'` });
    return send(res, 200, await hubbub('POST', `/api/courses/${COURSE}/tasks/${task[1]}/complete`, { user }));
  }

  // What the page shows at start (Hubbub's REST answers no cross-origin browser calls, so the backend reads it).
  const state = url.pathname.match(/^\/api\/state\/([a-z]+)$/);
  if (req.method === 'GET' && state && USERS[state[1]]) {
    const user = state[1];
    const [profile, { achievements }, course, progress, { learners }] = await Promise.all([
      hubbub('GET', `/api/users/${user}/profile`),
      hubbub('GET', `/api/achievements?user=${user}`),
      hubbub('GET', `/api/courses/${COURSE}`),
      hubbub('GET', `/api/courses/${COURSE}/progress?user=${user}`),
      hubbub('GET', `/api/courses/${COURSE}/learners?limit=100`),
    ]);
    const group = Object.keys(USERS).map((u) => ({ user: u, name: USERS[u], percent: learners.find((l) => l.user === u)?.progress.percent ?? 0 }));
    return send(res, 200, { profile, catalog: achievements.filter((a) => !a.hidden || a.unlocked), course, progress, group });
  }
  return send(res, 404, { error: 'not found' });
}

await setUp();
http.createServer((req, res) => {
  handle(req, res).catch((err) => send(res, err.status && err.status < 500 ? err.status : 502, { error: err.message, hubbub: err.body ?? null }));
}).listen(PORT, '127.0.0.1', () => console.log(`learning coach app on http://127.0.0.1:${PORT} (Hubbub at ${HUBBUB})`));
