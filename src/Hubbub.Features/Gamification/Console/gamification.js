// The gamification page (issue 15): my profile (level, XP bar, quests, streaks, achievements by rarity with the
// share of players holding each), a live leaderboard whose rows glide when ranks change, toasts for XP and quests,
// a full-screen celebration for level-ups and epic or legendary unlocks, the current and upcoming challenges as live
// cards (join / leave, my progress, participants gliding on `challenge_update`, toasts for joins, completions and the
// end), and for staff (role admin) a form that creates a challenge and one that sends a test event. Declared by GamificationFeature (FeatureBuilder.ConsolePage); served at /console/pages/gamification.js.
import { h, clear } from '/js/dom.js';
import { progressBar } from '/js/components/progress.js';
import { celebrate } from '/js/components/celebration.js';
import { avatar } from '/js/components/avatar.js';
import { liveBadge, pulse } from '/js/components/live.js';
import { watchChannel } from '/js/components/channel.js';
import { runAction } from '/js/components/actions.js';
import { field } from '/js/components/field.js';
import { flipRender } from '/js/components/flip.js';
import { challengeCard } from '/js/components/challenge-card.js';
import { startCountdowns } from '/js/components/countdowns.js';

const BIG_RARITIES = new Set(['epic', 'legendary']);
const BOARD_ROWS = 10;

/**
 * @param {HTMLElement} root
 * @param {import('/js/shell/context.js').ConsoleContext} ctx
 */
export async function mount(root, ctx) {
  const me = ctx.session.user;
  const level = h('span', { class: 'flash-text', id: 'level', text: 'Level —' });
  const xpBar = progressBar({ label: 'XP to the next level', key: 'xp' });
  const quests = h('ul', { class: 'feed', id: 'quests', 'aria-label': 'Quests' });
  const streaks = h('ul', { class: 'feed', id: 'streaks', 'aria-label': 'Streaks' });
  const achievements = h('div', { class: 'grid', id: 'achievements' });
  const profile = h('section', { class: 'card stack', id: 'profile' },
    h('div', { class: 'row between' }, h('h2', { text: `${ctx.session.name}` }), h('strong', {}, level)), xpBar.el,
    h('h3', { text: 'Quests' }), quests, h('h3', { text: 'Streaks' }), streaks, h('h3', { text: 'Achievements' }), achievements);

  const boardPicker = h('select', { id: 'board-picker', 'aria-label': 'Leaderboard' });
  const boardInfo = h('div', { class: 'muted small', id: 'board-info' });
  const rows = h('ol', { class: 'rank-rows', id: 'board-rows', 'aria-label': 'Leaderboard rows' });
  const board = h('section', { class: 'card stack', id: 'leaderboard' },
    h('div', { class: 'row between' }, h('h2', { text: 'Leaderboard' }), liveBadge()), boardPicker, boardInfo, rows);

  const challengeList = h('ul', { class: 'challenge-list', id: 'challenge-list', 'aria-label': 'Challenges' });
  const challengesBox = h('section', { class: 'card stack', id: 'challenges' },
    h('div', { class: 'row between' }, h('h2', { text: 'Challenges' }), liveBadge()), challengeList);

  const page = h('div', { class: 'feature-page', id: 'gamification' }, h('h1', { text: 'Progress' }),
    h('div', { class: 'columns' }, profile, h('div', { class: 'stack' }, board)), challengesBox);
  root.append(page);

  // --- My profile: re-read on every live event about me (one request at a time, the last one wins) --------------
  let loading = null;
  let again = false;
  const loadProfile = async () => {
    if (loading) { again = true; return loading; }
    loading = (async () => {
      do {
        again = false;
        const [p, { achievements: list }] = await Promise.all([
          ctx.rest.get('/api/users/me/profile'), ctx.rest.get('/api/achievements')]);
        showProfile(p, list);
      } while (again);
    })().finally(() => { loading = null; });
    return loading;
  };

  const showProfile = (p, list) => {
    const text = `Level ${p.level}`;
    if (level.textContent !== text && level.textContent !== 'Level —') pulse(level);
    level.textContent = text;
    level.dataset.level = String(p.level);
    const span = p.next_level_xp === null ? 1 : p.next_level_xp - p.level_xp;
    xpBar.set(p.next_level_xp === null ? 1 : (p.xp - p.level_xp) / span,
      p.next_level_xp === null ? `${p.xp} XP (top level)` : `${p.xp} / ${p.next_level_xp} XP`);
    xpBar.el.dataset.xp = String(p.xp);
    clear(quests).append(...(p.quests.length ? p.quests.map((q) => {
      const bar = progressBar({ label: q.name, key: `quest-${q.key}` });
      bar.set(q.progress / q.count, `${q.progress} / ${q.count}${q.completed ? ' ✓' : ''}`);
      return h('li', { class: 'stack', dataset: { quest: q.key } },
        h('div', { class: 'row between' }, h('span', { class: 'ellipsis', text: q.name }), h('span', { class: 'muted small', text: `${q.period} · ${q.xp} XP` })), bar.el);
    }) : [h('li', { class: 'muted empty', text: 'No quests.' })]));
    clear(streaks).append(...(p.streaks.length ? p.streaks.map((s) => h('li', { class: 'row between', dataset: { streak: s.key } },
      h('span', { class: 'ellipsis', text: s.name }), h('span', { text: `${s.count} day${s.count === 1 ? '' : 's'} (best ${s.best})` })))
      : [h('li', { class: 'muted empty', text: 'No streaks.' })]));
    clear(achievements).append(...(list.length ? list.map((a) => h('div', {
      class: `card stack${a.unlocked ? '' : ' locked'}`, dataset: { achievement: a.key, unlocked: String(!!a.unlocked) },
    },
    h('div', { class: 'row between' }, h('strong', { class: 'ellipsis', text: a.name }), h('span', { class: `rarity rarity-${a.rarity}`, text: a.rarity })),
    a.description ? h('div', { class: 'small', text: a.description }) : null,
    h('div', { class: 'muted small', text: `${a.unlocked ? 'Unlocked' : 'Locked'} · ${a.unlocked_percent}% of players${a.xp ? ` · ${a.xp} XP` : ''}` })))
      : [h('div', { class: 'muted empty', text: 'No achievements defined.' })]));
  };

  const refresh = () => loadProfile().catch((err) => ctx.toast(err.message, 'error'));
  const offs = [
    ctx.user.on('xp_gained', (p) => { ctx.toast(`+${p.data.amount} XP (${p.data.reason})`, 'success'); refresh(); }),
    ctx.user.on('level_up', (p) => { celebrate(`Level ${p.data.level}!`, `up from level ${p.data.previous}`, { kind: 'level' }); refresh(); }),
    ctx.user.on('achievement_unlocked', (p) => {
      const a = p.data;
      if (BIG_RARITIES.has(a.rarity)) celebrate(a.name, `${a.rarity} achievement unlocked${a.xp ? ` · +${a.xp} XP` : ''}`, { kind: a.rarity });
      else ctx.toast(`Achievement unlocked: ${a.name} (${a.rarity})`, 'success');
      refresh();
    }),
    ctx.user.on('quest_completed', (p) => { ctx.toast(`Quest completed: ${p.data.name}${p.data.xp ? ` (+${p.data.xp} XP)` : ''}`, 'success'); refresh(); }),
    ctx.user.on('streak_updated', () => refresh()),
    ctx.user.on('rank_changed', (p) => { if (p.data.board === boardPicker.value) ctx.toast(`You are #${p.data.rank} on ${p.data.board}`, 'info'); }),
  ];

  // --- The leaderboard: the join state's top rows, then leaderboard_change rows merged in ---------------------
  /** @type {Map<string, {rank: number, user: string, name: string, score: number}>} */
  const entries = new Map();
  let stopBoard = () => {};
  const renderRows = (changed) => flipRender(rows, () => {
    const sorted = [...entries.values()].sort((a, b) => a.rank - b.rank || b.score - a.score).slice(0, BOARD_ROWS);
    clear(rows).append(...(sorted.length ? sorted.map((e) => h('li', { class: `rank-row${e.user === me ? ' me' : ''}`, dataset: { key: e.user, user: e.user, rank: String(e.rank) } },
      h('span', { class: 'rank-num', text: `#${e.rank}` }), avatar(e.name, e.user), h('span', { class: 'ellipsis', text: e.name }),
      h('strong', { class: 'score', text: String(e.score) })))
      : [h('li', { class: 'muted empty', dataset: { key: '' }, text: 'No scores yet.' })]));
  }, changed);

  const openBoard = (key) => {
    stopBoard();
    entries.clear();
    renderRows(new Set());
    if (!key) return;
    stopBoard = watchChannel(ctx, `leaderboard:${key}`, {
      state: (s) => {
        entries.clear();
        for (const e of s.entries ?? []) entries.set(e.user, e);
        boardInfo.textContent = `${s.period === 'all' || !s.period ? 'all time' : `period ${s.period}`}${s.resets_at ? ` · resets ${new Date(s.resets_at).toLocaleString()}` : ''}`;
        renderRows(new Set());
      },
      events: {
        leaderboard_change: (p) => {
          const changed = new Set();
          for (const e of p.data.entries ?? []) {
            entries.set(e.user, { rank: e.rank, user: e.user, name: e.name, score: e.score });
            changed.add(e.user);
          }
          renderRows(changed);
        },
        // A periodic board's new period began: it starts empty (the ended one stays readable with ?period=).
        leaderboard_reset: (p) => {
          entries.clear();
          boardInfo.textContent = `period ${p.data.period} · resets ${new Date(p.data.resets_at).toLocaleString()}`;
          renderRows(new Set());
          const winner = p.data.final?.[0];
          if (winner) ctx.toast(`${p.data.previous_period}: ${winner.name} finished first`, 'info');
        },
      },
    });
  };
  boardPicker.addEventListener('change', () => openBoard(boardPicker.value));

  const { leaderboards } = await ctx.rest.get('/api/leaderboards');
  clear(boardPicker).append(...leaderboards.map((b) => h('option', { value: b.key, text: b.name })));
  if (leaderboards.length === 0) boardInfo.textContent = 'No leaderboards defined.';
  openBoard(boardPicker.value);

  // --- Challenges: current and upcoming, each card live on its own channel; read again whenever the page shows ------
  /** @type {Map<string, {el: HTMLElement, stop: () => void}>} */
  const challengeCards = new Map();
  const loadChallenges = async () => {
    const { challenges } = await ctx.rest.get('/api/challenges', { query: { state: 'current', limit: 20 } });
    const ids = new Set(challenges.map((c) => c.id));
    for (const [id, card] of challengeCards) if (!ids.has(id)) { card.stop(); card.el.remove(); challengeCards.delete(id); }
    for (const c of challenges) {
      if (!challengeCards.has(c.id)) challengeCards.set(c.id, challengeCard(ctx, c, { visible: () => ctx.isVisible(root) }));
    }
    // Newest first, as listed (ended cards stay until the next read, showing their final standings).
    challengeList.querySelector('.empty')?.remove();
    for (const c of challenges) challengeList.append(/** @type {HTMLElement} */ (challengeCards.get(c.id)?.el));
    if (challengeCards.size === 0) challengeList.append(h('li', { class: 'muted empty', text: 'No current or upcoming challenges.' }));
  };
  const stopCountdowns = startCountdowns(challengeList);
  if (ctx.session.admin) challengesBox.append(challengeForm(ctx, () => loadChallenges()));

  if (ctx.session.admin) page.append(testEventForm(ctx));
  await Promise.all([loadProfile(), loadChallenges()]);
  let first = true;
  return {
    shown() {
      if (first) { first = false; return; }
      loadChallenges().catch((err) => ctx.toast(err.message, 'error'));
    },
    unmount() {
      stopBoard();
      stopCountdowns();
      for (const card of challengeCards.values()) card.stop();
      for (const off of offs) off();
    },
  };
}

/** Staff's "new challenge" form: `POST /api/challenges` (refused to anyone but an admin or the server). */
function challengeForm(ctx, created) {
  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const now = new Date();
  const title = h('input', { name: 'challenge-title', required: true, maxlength: 200, autocomplete: 'off', placeholder: '10 km week' });
  const type = h('input', { name: 'challenge-type', value: 'workout.completed', required: true, maxlength: 64, autocomplete: 'off' });
  const sum = h('input', { name: 'challenge-field', maxlength: 64, autocomplete: 'off', placeholder: 'km (empty: count events)' });
  const goal = h('input', { name: 'challenge-goal', type: 'number', min: '0', step: 'any', value: '5', required: true });
  const starts = h('input', { name: 'challenge-starts', type: 'datetime-local', value: local(now), required: true });
  const ends = h('input', { name: 'challenge-ends', type: 'datetime-local', value: local(new Date(now.getTime() + 7 * 86400000)), required: true });
  const submit = h('button', { type: 'submit', text: 'Create challenge' });
  return h('form', {
    class: 'stack', id: 'new-challenge',
    onsubmit: async (e) => {
      e.preventDefault();
      const body = {
        title: title.value.trim(), type: type.value.trim(), field: sum.value.trim() || undefined, goal: Number(goal.value),
        starts_at: new Date(starts.value).toISOString(), ends_at: new Date(ends.value).toISOString(),
      };
      const answer = await runAction(ctx, submit, () => ctx.rest.post('/api/challenges', body));
      if (!answer) return;
      title.value = '';
      ctx.toast(`Challenge “${answer.title}” created`, 'success');
      await created();
    },
  }, h('h3', { text: 'New challenge (staff)' }),
  h('div', { class: 'form-grid' }, field('Title', title), field('Event type', type), field('Sum of field', sum), field('Goal', goal),
    field('Starts', starts), field('Ends', ends), submit));
}

/** Staff's "send a test event" form: `POST /api/events` (refused to anyone but an admin or the server). */
function testEventForm(ctx) {
  const user = h('input', { name: 'event-user', value: ctx.session.user, required: true, maxlength: 64, autocomplete: 'off' });
  const type = h('input', { name: 'event-type', value: 'workout.completed', required: true, maxlength: 64, autocomplete: 'off' });
  const data = h('input', { name: 'event-data', value: '{"minutes": 30}', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', text: 'Send event' });
  const result = h('pre', { class: 'small muted', id: 'event-result' });
  return h('form', {
    class: 'card stack', id: 'test-event',
    onsubmit: async (e) => {
      e.preventDefault();
      let parsed;
      try {
        parsed = data.value.trim() ? JSON.parse(data.value) : undefined;
      } catch {
        ctx.toast('Data must be a JSON object, e.g. {"minutes": 30}', 'error');
        return;
      }
      const body = { id: `console-${crypto.randomUUID()}`, user: user.value.trim(), type: type.value.trim(), data: parsed };
      const answer = await runAction(ctx, submit, () => ctx.rest.post('/api/events', body));
      if (answer) result.textContent = `${answer.effects.xp} XP → ${answer.effects.total_xp} total, level ${answer.effects.level}`;
    },
  }, h('h2', { text: 'Send a test event (staff)' }),
  h('div', { class: 'form-grid' }, field('User', user), field('Type', type), field('Data (JSON)', data), submit), result);
}
