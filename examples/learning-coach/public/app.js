// The learning coach's page (seed 002) on Hubbub's JS SDK: one connection for everything the seed hand-built.
//   user:{id}             XP, level-ups, unlocks (toasts; full screen for epic and legendary), task and module progress
//   leaderboard:learners  the top learners, rows moving with their rank change
//   room:{group}          the study group: members' progress, chat, typing, presence and shared cursors
const $ = (id) => document.getElementById(id);
const me = new URLSearchParams(location.search).get('user') || 'ada';

const session = async () => {
  const res = await fetch('/api/session', { method: 'POST', body: JSON.stringify({ user: me }) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  return res.json();
};
const first = await session();
$('who').textContent = first.name;
const { HubbubClient } = await import(`${first.hubbub}/sdk/hubbub.js`);

function toast(text) {
  const el = document.createElement('div');
  el.className = 'toast';
  el.textContent = text;
  $('toasts').append(el);
  setTimeout(() => el.remove(), 20_000);
}

function celebrate(title, subtitle, rarity) {
  document.querySelector('.celebration')?.remove();
  const el = document.createElement('div');
  el.className = `celebration ${rarity}`;
  el.innerHTML = '<div class="celebration-title"></div><small></small>';
  el.firstChild.textContent = title;
  el.lastChild.textContent = subtitle;
  el.onclick = () => el.remove();
  document.body.append(el);
}

// --- Me: XP, level, course progress, achievements ------------------------------------------------------------------
let state;
function renderXp() {
  const { xp, level, level_xp: from, next_level_xp: to } = state.profile;
  $('level').textContent = `Level ${level}`;
  $('xp-bar').dataset.xp = xp;
  $('xp-bar').querySelector('.fill').style.width = to ? `${Math.round(((xp - from) / (to - from)) * 100)}%` : '100%';
  $('xp-text').textContent = to ? `${xp} / ${to} XP` : `${xp} XP`;
}
function renderCourse() {
  const { course, progress } = state;
  $('course-title').textContent = course.title;
  $('course-bar').querySelector('.fill').style.width = `${progress.percent}%`;
  $('percent').textContent = `${progress.percent}%`;
  $('modules').replaceChildren(...course.modules.map((m) => {
    const p = progress.modules.find((x) => x.key === m.key);
    const li = document.createElement('li');
    li.dataset.module = m.key;
    li.dataset.state = p.state;
    li.append(`${m.title} — ${p.completed_tasks} / ${p.total_tasks} `);
    for (const t of m.tasks) {
      const task = p.tasks.find((x) => x.key === t.key);
      const button = document.createElement('button');
      button.dataset.task = t.key;
      button.dataset.state = task.state;
      button.disabled = task.state !== 'open';
      button.textContent = `${t.title} (+${t.xp})`;
      button.onclick = async () => {
        button.disabled = true;
        await fetch(`/api/tasks/${t.key}/complete`, { method: 'POST', body: JSON.stringify({ user: me }) });
      };
      li.append(button);
    }
    return li;
  }));
}
function renderAchievements() {
  $('achievements').replaceChildren(...state.catalog.map((a) => {
    const li = document.createElement('li');
    li.dataset.achievement = a.key;
    li.dataset.rarity = a.rarity;
    li.dataset.unlocked = String(a.unlocked);
    li.title = `${a.description} — ${a.unlocked_percent}% of learners`;
    li.textContent = `${a.name} (${a.rarity})`;
    return li;
  }));
}
async function load() {
  state = await (await fetch(`/api/state/${me}`)).json();
  renderXp();
  renderCourse();
  renderAchievements();
}
await load();

const client = new HubbubClient(first.hubbub.replace(/^http/, 'ws') + '/ws', {
  getToken: async () => (await session()).token,
});
client.on('state', (s) => {
  $('connection').dataset.state = s;
  $('connection').textContent = s === 'connected' ? '● live' : `○ ${s}`;
});

client.subscribe(`user:${me}`, {
  xp_gained: ({ data }) => {
    state.profile.xp = data.total;
    renderXp();
    toast(`+${data.amount} XP (${data.reason})`);
  },
  level_up: ({ data }) => { toast(`Level ${data.level}!`); load(); },
  achievement_unlocked: ({ data }) => {
    if (data.rarity === 'epic' || data.rarity === 'legendary') celebrate(data.name, `${data.rarity} · +${data.xp} XP`, data.rarity);
    else toast(`🏆 ${data.name} (${data.rarity})`);
    load();
  },
  progress_update: () => load(),
  module_completed: ({ data }) => { toast(`Module completed: ${data.title}`); load(); },
  course_completed: ({ data }) => toast(`Course completed: ${data.title}`),
});

// --- The live leaderboard with rank changes ------------------------------------------------------------------------
const rows = new Map();
function renderRows() {
  const sorted = [...rows.values()].sort((a, b) => a.rank - b.rank || a.user.localeCompare(b.user));
  $('rows').replaceChildren(...sorted.map((r) => {
    const li = document.createElement('li');
    li.dataset.user = r.user;
    li.dataset.rank = r.rank;
    if (r.user === me) li.className = 'me';
    const change = r.change; // its last move, kept until it moves again
    if (change) li.dataset.change = change.dir;
    li.innerHTML = '<span class="name"></span> <span class="score"></span> <span class="change"></span>';
    li.querySelector('.name').textContent = r.name;
    li.querySelector('.score').textContent = `${r.score} XP`;
    li.querySelector('.change').textContent = change?.text ?? '';
    return li;
  }));
}
client.subscribe('leaderboard:learners', {
  subscribed: ({ state: board }) => {
    rows.clear();
    for (const e of board?.entries ?? []) rows.set(e.user, e);
    renderRows();
  },
  leaderboard_change: ({ data }) => {
    for (const e of data.entries) {
      let change = rows.get(e.user)?.change;
      if (e.previous_rank == null) change = { dir: 'up', text: 'new' };
      else if (e.rank < e.previous_rank) change = { dir: 'up', text: `▲${e.previous_rank - e.rank}` };
      else if (e.rank > e.previous_rank) change = { dir: 'down', text: `▼${e.rank - e.previous_rank}` };
      rows.set(e.user, { ...e, change });
    }
    renderRows();
  },
});

// --- The study group: a room (members' progress, chat, typing, presence, cursors) ----------------------------------
const online = new Set();
const members = new Map(state.group.map((m) => [m.user, m]));
function renderMembers() {
  $('members').replaceChildren(...[...members.values()].map((m) => {
    const li = document.createElement('li');
    li.dataset.user = m.user;
    li.dataset.online = String(online.has(m.user));
    li.textContent = `${m.name} ${m.percent}%`;
    return li;
  }));
}
renderMembers();
const typingNow = new Map();
function renderTyping() {
  const names = [...typingNow.values()];
  $('typing').textContent = names.length ? `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…` : '';
}
function say(name, text) {
  const li = document.createElement('li');
  li.textContent = `${name}: ${text}`;
  $('chat').append(li);
}
const group = client.subscribe(`room:${first.room}`, {
  member_progress: (p) => {
    if (p.from) return; // only the server's publications are progress (members may publish any event name)
    members.set(p.data.user, { ...members.get(p.data.user), user: p.data.user, name: p.data.name, percent: p.data.percent });
    renderMembers();
  },
  message: (p) => { if (p.from) say(p.from.name, p.data.text); },
  typing: ({ user, name, is_typing: on }) => { if (on) typingNow.set(user, name); else typingNow.delete(user); renderTyping(); },
  presence_join: ({ user }) => { online.add(user); renderMembers(); },
  presence_leave: ({ user }) => {
    online.delete(user);
    document.querySelector(`#board .cursor[data-user="${CSS.escape(user)}"]`)?.remove();
    renderMembers();
  },
  cursor: ({ user, name, x, y }) => {
    let el = document.querySelector(`#board .cursor[data-user="${CSS.escape(user)}"]`);
    if (!el) {
      el = document.createElement('div');
      el.className = 'cursor';
      el.dataset.user = user;
      el.textContent = `▲ ${name}`;
      $('board').append(el);
    }
    el.style.left = `${x}px`;
    el.style.top = `${y}px`;
  },
});
$('board').onpointermove = (e) => group.cursor({ x: Math.round(e.offsetX), y: Math.round(e.offsetY) });
$('message').oninput = () => group.typing(true);
$('say').onsubmit = async (e) => {
  e.preventDefault();
  const text = $('message').value.trim();
  if (!text) return;
  $('message').value = '';
  group.typing(false);
  await group.publish({ text });
};

await client.connect();
await group.ready();
for (const m of (await group.presence()).members) online.add(m.user);
renderMembers();
document.body.dataset.ready = 'true';
