// The fitness app's social page (seed 000) on Hubbub's JS SDK: one connection, four channels.
//   user:{id}             my XP, level-ups, unlocks, quests, streaks, rank changes, likes and comments on my workouts
//   leaderboard:weekly-xp the board's top rows (the subscribe's state), then the rows that moved
//   feed:{id}             my friends' new activities
//   challenge:{id}        who joined the week's challenge and how far they are
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

function toast(text, rarity) {
  const el = document.createElement('div');
  el.className = 'toast';
  if (rarity) el.dataset.rarity = rarity;
  el.textContent = text;
  $('toasts').append(el);
  setTimeout(() => el.remove(), 20_000);
}

// --- Me: XP bar, level, quest, streak, achievements (the profile, then live events) ------------------------------
let profile;
function renderProfile() {
  const { xp, level, level_xp: from, next_level_xp: to } = profile;
  $('level').textContent = `Level ${level}`;
  $('xp-bar').dataset.xp = xp;
  $('xp-bar').querySelector('.fill').style.width = to ? `${Math.round(((xp - from) / (to - from)) * 100)}%` : '100%';
  $('xp-text').textContent = to ? `${xp} / ${to} XP` : `${xp} XP`;
  const quest = profile.quests[0];
  $('quest').textContent = quest ? `${quest.name}: ${quest.completed ? 'done ✓' : `${quest.progress} / ${quest.count}`}` : '';
  const streak = profile.streaks[0];
  $('streak').textContent = streak ? `🔥 ${streak.count} day${streak.count === 1 ? '' : 's'}` : '🔥 0 days';
  $('achievements').replaceChildren(...profile.catalog.map((a) => {
    const li = document.createElement('li');
    li.dataset.achievement = a.key;
    li.dataset.rarity = a.rarity;
    li.dataset.unlocked = String(a.unlocked);
    li.title = `${a.description} — ${a.rarity}, ${a.unlocked_percent}% of athletes`;
    li.textContent = `${a.name} (${a.rarity})`;
    return li;
  }));
}
async function loadProfile() {
  profile = await (await fetch(`/api/profile/${me}`)).json();
  renderProfile();
}
await loadProfile();

const client = new HubbubClient(first.hubbub.replace(/^http/, 'ws') + '/ws', {
  getToken: async () => (await session()).token,
});
client.on('state', (state) => {
  $('connection').dataset.state = state;
  $('connection').textContent = state === 'connected' ? '● live' : `○ ${state}`;
});

client.subscribe(`user:${me}`, {
  xp_gained: ({ data }) => {
    profile.xp = data.total;
    renderProfile();
    toast(`+${data.amount} XP`);
  },
  level_up: ({ data }) => {
    toast(`Level ${data.level}!`);
    loadProfile(); // the new level's bounds
  },
  achievement_unlocked: ({ data }) => {
    toast(`🏆 ${data.name} unlocked (${data.rarity}, +${data.xp} XP)`, data.rarity);
    loadProfile();
  },
  quest_completed: ({ data }) => { toast(`Quest done: ${data.name}`); loadProfile(); },
  streak_updated: ({ data }) => {
    const streak = profile.streaks.find((s) => s.key === data.key);
    if (streak) streak.count = data.count;
    renderProfile();
  },
  overtaken: ({ data }) => toast(`${data.name} passed you on ${data.board} (now #${data.rank})`),
  activity_liked: ({ data }) => toast(`👍 ${data.name} liked your workout`),
  activity_commented: ({ data }) => toast(`💬 ${data.comment.name}: ${data.comment.text}`),
});

// --- The leaderboard: rows keyed by user, moved by leaderboard_change ----------------------------------------------
const rows = new Map();
function renderRows() {
  const sorted = [...rows.values()].sort((a, b) => a.rank - b.rank || a.user.localeCompare(b.user));
  $('rows').replaceChildren(...sorted.map((r) => {
    const li = document.createElement('li');
    li.dataset.user = r.user;
    li.dataset.rank = r.rank;
    if (r.moved) li.dataset.moved = r.moved; // its last move, kept until it moves again
    if (r.user === me) li.className = 'me';
    li.innerHTML = '<span class="rank"></span> <span class="name"></span> <span class="score"></span>';
    li.querySelector('.rank').textContent = `#${r.rank}`;
    li.querySelector('.name').textContent = r.name;
    li.querySelector('.score').textContent = r.score;
    return li;
  }));
}
client.subscribe('leaderboard:weekly-xp', {
  subscribed: ({ state }) => {
    rows.clear();
    for (const e of state?.entries ?? []) rows.set(e.user, e);
    renderRows();
  },
  leaderboard_change: ({ data }) => {
    for (const e of data.entries) {
      let moved = rows.get(e.user)?.moved;
      if (e.previous_rank == null || e.rank < e.previous_rank) moved = 'up';
      else if (e.rank > e.previous_rank) moved = 'down';
      rows.set(e.user, { ...e, moved });
    }
    renderRows();
  },
});

// --- The friends' feed: cards with likes and comments (social commands over the same connection) -------------------
function card(a) {
  const li = document.createElement('li');
  li.dataset.activity = a.id;
  li.innerHTML = '<b class="title"></b> <small class="desc"></small> <button class="like"></button> <span class="comments"></span>'
    + '<form class="comment"><input name="text" placeholder="Comment"><button>Send</button></form>';
  li.querySelector('.title').textContent = a.title;
  li.querySelector('.desc').textContent = a.description ?? '';
  const like = li.querySelector('.like');
  const paint = (count, mine) => { like.textContent = `👍 ${count}`; like.dataset.liked = String(mine); };
  paint(a.like_count, a.liked_by_me);
  like.onclick = async () => {
    const state = await client.call(like.dataset.liked === 'true' ? 'social.unlike' : 'social.like', { activity: a.id });
    paint(state.like_count, state.liked_by_me);
  };
  li.querySelector('.comments').textContent = `💬 ${a.comment_count}`;
  li.querySelector('form').onsubmit = async (e) => {
    e.preventDefault();
    const input = e.target.elements.text;
    await client.call('social.comment', { activity: a.id, text: input.value });
    input.value = '';
  };
  return li;
}
client.subscribe(`feed:${me}`, {
  friend_activity: ({ data }) => {
    document.querySelector(`#activities [data-activity="${CSS.escape(data.activity.id)}"]`)?.remove();
    $('activities').prepend(card(data.activity));
  },
  activity_deleted: ({ data }) => document.querySelector(`#activities [data-activity="${CSS.escape(data.id)}"]`)?.remove(),
});

// --- The week's challenge ---------------------------------------------------------------------------------------
const participants = new Map();
function renderParticipants() {
  const sorted = [...participants.values()].sort((a, b) => b.progress - a.progress);
  $('participants').replaceChildren(...sorted.map((p) => {
    const li = document.createElement('li');
    li.dataset.user = p.user;
    li.dataset.completed = String(!!p.completed);
    li.textContent = `${p.name}: ${p.progress} / ${challenge.goal} km${p.completed ? ' ✓' : ''}`;
    return li;
  }));
}
let challenge = { goal: 0 };
client.subscribe(`challenge:${first.challenge}`, {
  subscribed: ({ state }) => {
    challenge = state.challenge;
    $('challenge-title').textContent = challenge.title;
    $('join').hidden = !!challenge.me;
    participants.clear();
    for (const p of state.participants) participants.set(p.user, p);
    renderParticipants();
  },
  challenge_joined: ({ data }) => { participants.set(data.user, participants.get(data.user) ?? { ...data, progress: 0 }); renderParticipants(); },
  challenge_update: ({ data }) => { participants.set(data.user, { ...participants.get(data.user), ...data }); renderParticipants(); },
  challenge_completed: ({ data }) => {
    participants.set(data.user, { ...participants.get(data.user), completed: true });
    renderParticipants();
    toast(`${data.name} completed ${challenge.title}!`);
  },
});
$('join').onclick = async () => {
  await client.call('challenges.join', { challenge: first.challenge });
  $('join').hidden = true;
};

// --- Logging a workout goes to the app's backend, which tells Hubbub -------------------------------------------------
$('workout').onsubmit = async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  await fetch('/api/workouts', { method: 'POST', body: JSON.stringify({ user: me, minutes: form.get('minutes'), km: form.get('km') }) });
};

await client.connect();
const { activities } = await client.call('social.feed', { limit: 10 });
for (const a of activities.reverse()) {
  if (!document.querySelector(`#activities [data-activity="${CSS.escape(a.id)}"]`)) $('activities').prepend(card(a));
}
document.body.dataset.ready = 'true';
