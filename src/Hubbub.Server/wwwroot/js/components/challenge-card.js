// A gamification challenge as a live card (the Progress page and the Social page show them): title, goal, window,
// participant count, Join / Leave, my progress bar and a ranked list of participants that glides on every
// `challenge_update` of `challenge:{id}`; toasts for joins, completions and the end (only while the page is in view, so
// two pages showing one challenge do not toast twice). Pages that show the same challenge share one subscription.
import { h, clear } from '../dom.js';
import { progressBar } from './progress.js';
import { avatar } from './avatar.js';
import { pulse } from './live.js';
import { runAction } from './actions.js';
import { flipRender } from './flip.js';
import { countdownText } from './countdowns.js';

/** Participant rows a card shows. */
const ROWS = 10;

/** @type {WeakMap<object, Map<string, number>>} per client: channel → how many cards watch it */
const watchers = new WeakMap();

/**
 * Subscribes (or shares the subscription of) `challenge:{id}`; the last card to stop unsubscribes. A shared
 * subscription's join state is as old as its subscribe, so a card joining it later reads the challenge afresh (`reread`).
 */
function watch(ctx, channel, { state, reread, events, refused }) {
  let counts = watchers.get(ctx.client);
  if (!counts) watchers.set(ctx.client, (counts = new Map()));
  counts.set(channel, (counts.get(channel) ?? 0) + 1);
  const sub = ctx.client.subscribe(channel);
  const offs = Object.entries(events).map(([event, fn]) => sub.on(event, fn));
  offs.push(sub.on('subscribed', (e) => { if (e.state) state(e.state); }));
  offs.push(sub.on('error', refused));
  if (sub.joinState) queueMicrotask(reread);
  return () => {
    for (const off of offs) off();
    const left = (counts.get(channel) ?? 1) - 1;
    if (left > 0) counts.set(channel, left);
    else { counts.delete(channel); sub.unsubscribe(); }
  };
}

/** What a challenge asks for, in words: "10 km of workout.completed" or "5 × workout.completed". */
export function goalText(c) {
  return c.field ? `${c.goal} ${c.field} of ${c.type}` : `${c.goal} × ${c.type}`;
}

/** The window: "Dec 1 08:00 – Dec 8 08:00". */
function windowText(c) {
  const f = (t) => new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return `${f(c.starts_at)} – ${f(c.ends_at)}`;
}

/** Progress as shown: whole numbers as they are, others with one decimal. */
const num = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * @param {import('../shell/context.js').ConsoleContext} ctx
 * @param {any} challenge a challenge view (`GET /api/challenges` row)
 * @param {{visible: () => boolean, only?: (user: string) => boolean, joinToasts?: boolean}} options
 *   `visible` says whether the page is in view (toasts then); `only` keeps the participant list to some users (the
 *   Social page: me and my friends; those outside the live top rows come from a participants read); `joinToasts`
 *   (default true) toasts others' joins (the Social page toasts its friends' from its feed instead).
 * @returns {{el: HTMLElement, stop: () => void, refresh: () => void, id: string}}
 */
export function challengeCard(ctx, challenge, { visible, only, joinToasts = true }) {
  const me = ctx.session.user;
  let c = challenge;
  /** @type {Map<string, {user: string, name: string, progress: number, completed: boolean, order: number}>} */
  const people = new Map();
  let order = 0;

  const stateTag = h('span', { class: 'state-tag' });
  const count = h('span', { class: 'participant-count' });
  const when = h('span', { class: 'muted small challenge-when' });
  const mine = progressBar({ label: `My progress in ${c.title}`, key: `challenge-${c.id}` });
  const mineBox = h('div', { class: 'stack challenge-mine' }, h('span', { class: 'small muted', text: 'My progress' }), mine.el);
  const join = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'challenge-join' }));
  const rows = h('ol', { class: 'rank-rows challenge-rows', 'aria-label': `Participants of ${c.title}` });
  const el = h('li', { class: 'card stack challenge-card', dataset: { challenge: c.id } },
    h('div', { class: 'row between' }, h('strong', { class: 'ellipsis challenge-title', title: c.title, text: c.title }), stateTag),
    h('div', { class: 'small challenge-goal', text: `Goal: ${goalText(c)}` }),
    h('div', { class: 'row between' }, when, h('span', { class: 'small' }, count, ' taking part')),
    mineBox, h('div', { class: 'row' }, join), rows);

  // An upcoming card turns active at its start on its own (its end comes from the scheduler's `challenge_ended`).
  let startTimer = 0;
  const armStart = () => {
    clearTimeout(startTimer);
    const wait = new Date(c.starts_at).getTime() - Date.now();
    if (c.state !== 'upcoming' || !(wait < 2 ** 31 - 1)) return;
    startTimer = setTimeout(() => { if (c.state === 'upcoming') { c = { ...c, state: 'active' }; show(); } }, Math.max(0, wait));
  };

  const show = () => {
    stateTag.textContent = c.state;
    stateTag.className = `state-tag ${c.state === 'active' ? 'open' : c.state === 'ended' ? 'completed' : ''}`;
    el.dataset.state = c.state;
    const text = String(c.participant_count);
    if (count.textContent !== text && count.textContent !== '') pulse(count);
    count.textContent = text;
    el.dataset.joined = String(!!c.me);
    // Active: the time left, kept current by the page's countdowns. (An upcoming card turns active at the page's next read.)
    clear(when).append(windowText(c), ...(c.state === 'active' ? [' · ', countdownText(c.ends_at)] : []));
    mineBox.hidden = !c.me;
    if (c.me) {
      mine.set(c.me.progress / c.goal, `${num(c.me.progress)} / ${num(c.goal)}${c.me.completed ? ' ✓' : ''}`);
      mine.el.dataset.progressValue = String(c.me.progress);
    }
    join.hidden = c.state === 'ended';
    join.textContent = c.me ? 'Leave' : 'Join';
    join.className = c.me ? 'secondary challenge-join' : 'challenge-join';
    armStart();
  };

  const renderRows = (moved = new Set()) => flipRender(rows, () => {
    const sorted = [...people.values()].sort((a, b) => b.progress - a.progress || a.order - b.order);
    const ranked = sorted.map((p, i) => ({ ...p, rank: i > 0 && sorted[i - 1].progress === p.progress ? -1 : i + 1 }));
    for (let i = 1; i < ranked.length; i++) if (ranked[i].rank === -1) ranked[i].rank = ranked[i - 1].rank;
    const shown = ranked.filter((p) => !only || only(p.user)).slice(0, ROWS);
    clear(rows).append(...(shown.length ? shown.map((p) => {
      const bar = progressBar({ label: `${p.name}'s progress` });
      bar.set(p.progress / c.goal);
      return h('li', { class: `rank-row challenge-row${p.user === me ? ' me' : ''}`, dataset: { key: p.user, user: p.user, rank: String(p.rank), score: String(p.progress) } },
        h('span', { class: 'rank-num', text: `#${p.rank}` }), avatar(p.name, p.user),
        h('span', { class: 'stack challenge-who' }, h('span', { class: 'ellipsis', text: p.name }), bar.el),
        h('strong', { class: 'score', text: `${num(p.progress)}${p.completed ? ' ✓' : ''}` }));
    }) : [h('li', { class: 'muted empty', dataset: { key: '' }, text: only ? 'None of your friends yet.' : 'Nobody yet: be the first.' })]));
  }, moved);

  const setPerson = (p, { keepHigher = false } = {}) => {
    const known = people.get(p.user);
    const progress = keepHigher && known ? Math.max(known.progress, p.progress) : p.progress;
    people.set(p.user, { user: p.user, name: p.name, progress, completed: !!(p.completed || known?.completed), order: known && known.progress === progress ? known.order : order++ });
  };
  const toast = (text, kind) => { if (visible()) ctx.toast(text, kind); };

  const stop = watch(ctx, `challenge:${c.id}`, {
    state: (s) => {
      c = s.challenge;
      people.clear();
      for (const p of s.participants ?? []) setPerson(p);
      show();
      renderRows();
      // The Social card lists me and my friends, who may be below the live top rows: read further (once per state).
      if (only) {
        ctx.rest.get(`/api/challenges/${encodeURIComponent(c.id)}/participants`, { query: { limit: 100 } })
          .then((list) => { for (const p of list.participants) setPerson(p, { keepHigher: true }); renderRows(); })
          .catch(() => {});
      }
    },
    // Joining a subscription another page holds: the challenge and its top rows read now, merged into what its events
    // since have shown (progress only grows while one stays in).
    reread: () => {
      const path = `/api/challenges/${encodeURIComponent(c.id)}`;
      Promise.all([ctx.rest.get(path), ctx.rest.get(`${path}/participants`, { query: { limit: only ? 100 : ROWS } })])
        .then(([view, list]) => {
          c = view;
          for (const p of list.participants) setPerson(p, { keepHigher: true });
          show();
          renderRows();
        })
        .catch(() => {});
    },
    events: {
      challenge_joined: (p) => {
        const d = p.data;
        // Published only for a real join; mine may have been counted already by the reply to my click.
        if (!people.has(d.user)) setPerson({ user: d.user, name: d.name, progress: 0 });
        if (d.user !== me || !c.me) c = { ...c, participant_count: c.participant_count + 1 };
        if (d.user === me && !c.me) c = { ...c, me: { progress: 0, completed: false } };
        show();
        renderRows(new Set([d.user]));
        if (joinToasts && d.user !== me) toast(`${d.name} joined “${c.title}”`, 'info');
      },
      challenge_left: (p) => {
        const d = p.data;
        // Published only for a real leave; mine may have been counted already by the reply to my click.
        people.delete(d.user);
        if (d.user !== me || c.me) c = { ...c, participant_count: Math.max(0, c.participant_count - 1) };
        if (d.user === me) c = { ...c, me: null };
        show();
        renderRows();
      },
      challenge_update: (p) => {
        const d = p.data;
        setPerson({ user: d.user, name: d.name, progress: d.progress });
        if (d.user === me) c = { ...c, me: { ...(c.me ?? { completed: false }), progress: d.progress } };
        show();
        renderRows(new Set([d.user]));
      },
      challenge_completed: (p) => {
        const d = p.data;
        const known = people.get(d.user);
        if (known) known.completed = true;
        if (d.user === me) c = { ...c, me: { ...(c.me ?? { progress: c.goal }), completed: true } };
        show();
        renderRows(new Set([d.user]));
        toast(d.user === me ? `You completed “${c.title}”!` : `${d.name} completed “${c.title}”`, 'success');
      },
      challenge_ended: (p) => {
        const d = p.data;
        c = { ...c, state: 'ended', participant_count: d.participant_count };
        people.clear();
        for (const s of d.standings ?? []) setPerson(s);
        show();
        renderRows();
        const winner = d.standings?.[0];
        toast(`“${c.title}” ended${winner ? `: ${winner.name} won with ${num(winner.progress)}` : ''}`, 'info');
      },
    },
    refused: (err) => toast(`Challenge ${c.id}: ${err.message}`, 'error'),
  });

  join.addEventListener('click', async () => {
    const path = `/api/challenges/${encodeURIComponent(c.id)}/join`;
    const view = await runAction(ctx, join, () => (c.me ? ctx.rest.delete(path) : ctx.rest.post(path, {})));
    if (!view) return;
    // The channel's own events move the list; the reply is my standing (and the count, unless an event was newer).
    c = { ...c, me: view.me, participant_count: view.participant_count };
    if (view.me && !people.has(me)) { setPerson({ user: me, name: ctx.session.name, progress: view.me.progress }); }
    if (!view.me) people.delete(me);
    show();
    renderRows();
  });

  show();
  renderRows();
  return { el, stop: () => { clearTimeout(startTimer); stop(); }, refresh: () => renderRows(), id: c.id };
}
