// The social page (issue 16): my feed (mine and my friends' activities) live from the `feed:{me}` join state and its
// events, a form to post an activity, like/unlike and comments with counts that move live for every viewer (the newest
// WATCH cards each watch `activity:{id}`: `activity_liked`, `activity_unliked`, `activity_commented`, `comment_deleted`),
// toasts for everything personal on `user:{me}` (requests, new friends, likes and comments of mine), and my friends with
// their requests (accept, decline, cancel, remove). Above the feed, the current challenges as live cards (join / leave,
// my progress and my friends' moving on `challenge_update`); a friend's join arrives on `feed:{me}` as
// `challenge_joined` (a toast) with its activity card, which has a Join button of its own.
// Declared by SocialFeature (FeatureBuilder.ConsolePage); served at /console/pages/social.js.
import { h, clear, relativeTime } from '/js/dom.js';
import { avatar } from '/js/components/avatar.js';
import { liveBadge, pulse } from '/js/components/live.js';
import { watchChannel } from '/js/components/channel.js';
import { runAction } from '/js/components/actions.js';
import { field } from '/js/components/field.js';
import { composer } from '/js/components/composer.js';
import { personRow } from '/js/components/person.js';
import { challengeCard } from '/js/components/challenge-card.js';
import { startCountdowns } from '/js/components/countdowns.js';

/** Activities kept on screen (older ones come back with "Load older"). */
const KEEP = 100;

/** The newest cards whose counts move live (one `activity:{id}` subscription each; a connection holds at most 128). */
const WATCH = 20;

/**
 * @param {HTMLElement} root
 * @param {import('/js/shell/context.js').ConsoleContext} ctx
 */
export async function mount(root, ctx) {
  const me = ctx.session.user;
  const feedList = h('ul', { class: 'activity-list', id: 'feed', 'aria-label': 'Feed', 'aria-live': 'polite' });
  const older = h('button', { type: 'button', class: 'secondary', id: 'feed-older', text: 'Load older', hidden: true });
  const friendsBox = h('div', { class: 'stack', id: 'friends' });
  const challengeList = h('ul', { class: 'challenge-list', id: 'social-challenge-list', 'aria-label': 'Challenges' });
  const page = h('div', { class: 'feature-page', id: 'social' },
    h('h1', { text: 'Social' }),
    h('div', { class: 'columns' },
      h('div', { class: 'stack' }, postForm(ctx),
        h('section', { class: 'card stack', id: 'social-challenges' }, h('h2', { text: 'Challenges' }), challengeList),
        h('section', { class: 'card stack', id: 'feed-card' }, h('div', { class: 'row between' }, h('h2', { text: 'Feed' }), liveBadge()), feedList, older)),
      h('section', { class: 'card stack', id: 'friends-card' }, h('h2', { text: 'Friends' }), addFriendForm(ctx, () => loadFriends()), friendsBox)));
  root.append(page);

  // --- The feed: one card per activity, newest first ------------------------------------------------------------
  /** @type {Map<string, {activity: any, el: HTMLElement}>} */
  const cards = new Map();
  let cursor = null;
  let paging = false;

  const showEmpty = () => {
    feedList.querySelector('.empty')?.remove();
    if (cards.size === 0) feedList.append(h('li', { class: 'muted empty', text: 'Nothing yet: post something, or add a friend.' }));
  };
  const put = (activity, where, shown = cards.get(activity.id)) => {
    const known = cards.get(activity.id);
    // A watched card's counts are current (its channel's events since the join state); a page read or an edit's
    // event may be older than the last of them, so they do not take the counts back.
    if (shown && watched.has(activity.id)) {
      activity = { ...activity, like_count: shown.activity.like_count, comment_count: shown.activity.comment_count, liked_by_me: shown.activity.liked_by_me };
    }
    const card = activityCard(ctx, activity, { like: () => toggleLike(activity.id), remove: () => removeActivity(activity.id), joinChallenge });
    cards.set(activity.id, { activity, el: card.el, ...card });
    if (known) known.el.replaceWith(card.el);
    else if (where === 'top') { card.el.classList.add('enter'); feedList.prepend(card.el); }
    else feedList.append(card.el);
    showEmpty();
    syncWatches();
  };
  const drop = (id) => {
    cards.get(id)?.el.remove();
    cards.delete(id);
    showEmpty();
    syncWatches();
  };
  const showPage = (p, replace) => {
    // One look at the watches when the page is in (not one per card: a reload would end and renew them all).
    paging = true;
    try {
      const shown = new Map(cards);
      if (replace) { cards.clear(); clear(feedList); }
      for (const a of p.activities ?? []) put(a, 'bottom', shown.get(a.id));
    } finally {
      paging = false;
    }
    cursor = p.next_cursor ?? null;
    older.hidden = !cursor;
    showEmpty();
    syncWatches();
  };
  const trim = () => {
    const ids = [...cards.keys()];
    for (const id of ids.slice(KEEP)) drop(id);
  };
  older.addEventListener('click', async () => {
    const p = await runAction(ctx, older, () => ctx.rest.get('/api/feed', { query: { before: cursor, limit: 20 } }));
    if (p) showPage(p, false);
  });
  // A friendship that begins or ends changes what the feed holds: read the newest page again.
  const reloadFeed = async () => showPage(await ctx.rest.get('/api/feed', { query: { limit: 20 } }), true);

  const setLikes = (id, count, likedByMe) => {
    const card = cards.get(id);
    if (!card) return;
    card.activity.like_count = count;
    if (likedByMe !== undefined) card.activity.liked_by_me = likedByMe;
    card.showLikes();
  };
  const toggleLike = async (id) => {
    const card = cards.get(id);
    if (!card) return;
    const path = `/api/activities/${encodeURIComponent(id)}/likes`;
    const state = await runAction(ctx, card.likeButton, () => (card.activity.liked_by_me ? ctx.rest.delete(path) : ctx.rest.post(path, {})));
    // A watched card's count comes from its channel, in order; the reply's may be older than a like announced since.
    if (state) setLikes(id, watched.has(id) ? cards.get(id)?.activity.like_count : state.like_count, state.liked_by_me);
  };
  const removeActivity = async (id) => {
    const card = cards.get(id);
    if (card && (await runAction(ctx, card.removeButton, () => ctx.rest.delete(`/api/activities/${encodeURIComponent(id)}`))) !== undefined) drop(id);
  };
  const titleOf = (id) => cards.get(id)?.activity.title ?? 'your activity';

  // --- Each of the newest WATCH cards watches its activity's channel, so any viewer's counts move live ----------------
  /** @type {Map<string, () => void>} */
  const watched = new Map();
  const watchActivity = (id) => watchChannel(ctx, `activity:${id}`, {
    // The join state (again after a reconnect) is the activity as I see it: counts and the latest comments.
    state: (a) => {
      setLikes(id, a.like_count, a.liked_by_me);
      for (const c of [...(a.latest_comments ?? [])].reverse()) cards.get(id)?.addComment(c, a.comment_count);
      cards.get(id)?.setCommentCount(a.comment_count);
    },
    events: {
      activity_liked: (p) => setLikes(id, p.data.like_count, p.data.user === me ? true : undefined),
      activity_unliked: (p) => setLikes(id, p.data.like_count, p.data.user === me ? false : undefined),
      activity_commented: (p) => cards.get(id)?.addComment(p.data.comment, p.data.comment_count),
      comment_deleted: (p) => cards.get(id)?.removeComment(p.data.comment, p.data.comment_count),
    },
    // Deleted, or no longer a friend's, meanwhile: `feed:{me}` takes the card away; nothing to say here.
    refused: () => {},
  });
  function syncWatches() {
    if (paging) return;
    const newest = new Set([...feedList.querySelectorAll('.activity-card')].slice(0, WATCH).map((el) => /** @type {HTMLElement} */ (el).dataset.activity));
    for (const [id, stop] of watched) if (!newest.has(id)) { stop(); watched.delete(id); }
    for (const id of newest) if (id && !watched.has(id)) watched.set(id, watchActivity(id));
  }

  const stopFeed = watchChannel(ctx, `feed:${me}`, {
    state: (s) => showPage(s, true),
    events: {
      friend_activity: (p) => { put(p.data.activity, 'top'); trim(); },
      activity_updated: (p) => { if (cards.has(p.data.activity.id)) put({ ...p.data.activity, liked_by_me: cards.get(p.data.activity.id)?.activity.liked_by_me }, 'top'); },
      activity_deleted: (p) => drop(p.data.id),
      // A friend (or I, elsewhere) joined a challenge: its card comes with friend_activity; a challenge not shown yet is read.
      challenge_joined: (p) => {
        const d = p.data;
        // While this page is in view (the Progress page's challenge cards toast joins while it is).
        if (d.user !== me && ctx.isVisible(root)) ctx.toast(`${d.name} joined the challenge “${d.title}”`, 'info');
        if (!challengeCards.has(d.challenge)) loadChallenges().catch(() => {});
      },
    },
  });

  // --- Challenges: current and upcoming, each listing me and my friends live -----------------------------------
  /** @type {Set<string>} */
  const friendIds = new Set();
  /** @type {Map<string, {el: HTMLElement, stop: () => void, refresh: () => void}>} */
  const challengeCards = new Map();
  const loadChallenges = async () => {
    const { challenges } = await ctx.rest.get('/api/challenges', { query: { state: 'current', limit: 10 } });
    const ids = new Set(challenges.map((c) => c.id));
    for (const [id, card] of challengeCards) if (!ids.has(id)) { card.stop(); card.el.remove(); challengeCards.delete(id); }
    for (const c of challenges) {
      if (!challengeCards.has(c.id)) {
        challengeCards.set(c.id, challengeCard(ctx, c, { visible: () => ctx.isVisible(root), only: (u) => u === me || friendIds.has(u), joinToasts: false }));
      }
    }
    challengeList.querySelector('.empty')?.remove();
    for (const c of challenges) challengeList.append(/** @type {HTMLElement} */ (challengeCards.get(c.id)?.el));
    if (challengeCards.size === 0) challengeList.append(h('li', { class: 'muted empty', text: 'No challenges right now.' }));
  };
  const stopCountdowns = startCountdowns(challengeList);
  /** The Join button of a `challenge.joined` activity: the challenge's card (if shown) moves by its channel's events. */
  async function joinChallenge(button, challenge, title) {
    const view = await runAction(ctx, button, () => ctx.rest.post(`/api/challenges/${encodeURIComponent(challenge)}/join`, {}));
    if (!view) return;
    ctx.toast(`You joined “${title}”`, 'success');
    if (!challengeCards.has(challenge)) await loadChallenges();
  }

  // --- Friends ------------------------------------------------------------------------------------------------
  const loadFriends = async () => {
    const list = await ctx.rest.get('/api/friends');
    friendIds.clear();
    for (const f of list.friends) friendIds.add(f.user);
    for (const card of challengeCards.values()) card.refresh();
    const act = (text, cls, call) => {
      const b = h('button', { type: 'button', class: cls, text });
      b.addEventListener('click', async () => { if ((await runAction(ctx, b, call)) !== undefined) await loadFriends(); });
      return b;
    };
    const section = (title, id, people, empty, buttons) => h('div', { class: 'stack' }, h('h3', { text: title }),
      h('ul', { class: 'feed', id, 'aria-label': title },
        people.length ? people.map((p) => personRow({ user: p.user, name: p.name, note: relativeTime(p.since) }, ...buttons(p)))
          : [h('li', { class: 'muted empty', text: empty })]));
    const path = (u) => `/api/friends/${encodeURIComponent(u)}`;
    // (append() would write a null as the text "null": the sections not shown are filtered out.)
    clear(friendsBox).append(...[
      list.incoming.length ? section('Requests to me', 'friends-incoming', list.incoming, '', (p) => [
        act('Accept', '', () => ctx.rest.post('/api/friends', { user: p.user })),
        act('Decline', 'secondary', () => ctx.rest.post(`${path(p.user)}/decline`, {}))]) : null,
      section('My friends', 'friends-list', list.friends, 'No friends yet.', (p) => [act('Remove', 'secondary', () => ctx.rest.delete(path(p.user)))]),
      list.outgoing.length ? section('Waiting for an answer', 'friends-outgoing', list.outgoing, '', (p) => [
        act('Cancel', 'secondary', () => ctx.rest.delete(path(p.user)))]) : null].filter(Boolean));
  };

  // --- Everything personal arrives on user:{me} ---------------------------------------------------------------
  const offs = [
    // A watched card's counts come from its activity channel (one order of events); these only move the others.
    ctx.user.on('activity_liked', (p) => {
      const d = p.data;
      if (!watched.has(d.activity)) setLikes(d.activity, d.like_count);
      if (d.user !== me) ctx.toast(`${d.name} liked “${titleOf(d.activity)}” (${d.like_count} ${d.like_count === 1 ? 'like' : 'likes'})`, 'success');
    }),
    ctx.user.on('activity_unliked', (p) => { if (!watched.has(p.data.activity)) setLikes(p.data.activity, p.data.like_count); }),
    ctx.user.on('activity_commented', (p) => {
      const d = p.data;
      if (!watched.has(d.activity)) cards.get(d.activity)?.addComment(d.comment, d.comment_count);
      if (d.comment.user !== me) ctx.toast(`${d.comment.name} commented on “${titleOf(d.activity)}”: ${d.comment.text}`, 'info');
    }),
    ctx.user.on('friend_request', (p) => { ctx.toast(`${p.data.name} wants to be friends`, 'info'); loadFriends().catch(() => {}); }),
    ctx.user.on('friend_added', (p) => {
      ctx.toast(`You and ${p.data.name} are friends now`, 'success');
      loadFriends().catch(() => {});
      reloadFeed().catch(() => {});
    }),
    ctx.user.on('friend_removed', () => { loadFriends().catch(() => {}); reloadFeed().catch(() => {}); }),
  ];

  // Comments I write: the card shows mine at once (the author's `activity_commented` may bring it again: one per id).
  feedList.addEventListener('comment', async (e) => {
    const { id, text, form } = /** @type {CustomEvent} */ (e).detail;
    const button = form.querySelector('button');
    const comment = await runAction(ctx, button, () => ctx.rest.post(`/api/activities/${encodeURIComponent(id)}/comments`, { text }));
    if (comment) cards.get(id)?.addComment(comment);
  });

  await Promise.all([loadFriends(), loadChallenges()]);
  for (const card of challengeCards.values()) card.refresh();
  let first = true;
  return {
    shown() {
      if (first) { first = false; return; }
      loadChallenges().catch((err) => ctx.toast(err.message, 'error'));
    },
    unmount() {
      stopFeed();
      stopCountdowns();
      for (const card of challengeCards.values()) card.stop();
      for (const stop of watched.values()) stop();
      watched.clear();
      for (const off of offs) off();
    },
  };
}

/**
 * One activity: author, title, description, likes and comments, a comment box; `like` and `remove` are the page's.
 * @returns {{el: HTMLElement, likeButton: HTMLButtonElement, removeButton: HTMLButtonElement|null, showLikes: () => void,
 *   addComment: (comment: any, count?: number) => void, removeComment: (id: string, count: number) => void,
 *   setCommentCount: (count: number) => void}}
 */
function activityCard(ctx, activity, { like, remove, joinChallenge }) {
  const mine = activity.user === ctx.session.user;
  const likeButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'secondary like', onclick: like }));
  const likeCount = h('span', { class: 'like-count' });
  const commentCount = h('span', { class: 'comment-count muted small' });
  const comments = h('ul', { class: 'comments', 'aria-label': 'Comments' });
  const removeButton = mine ? /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'secondary remove', text: 'Delete', onclick: remove })) : null;
  const seen = new Set();
  const showLikes = () => {
    const text = String(activity.like_count);
    if (likeCount.textContent !== text && likeCount.textContent !== '') pulse(likeCount);
    likeCount.textContent = text;
    likeButton.textContent = activity.liked_by_me ? '♥ Liked' : '♡ Like';
    likeButton.setAttribute('aria-pressed', String(!!activity.liked_by_me));
  };
  const showComments = () => { commentCount.textContent = `${activity.comment_count} ${activity.comment_count === 1 ? 'comment' : 'comments'}`; };
  const addComment = (c, count) => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    comments.append(h('li', { class: 'comment enter', dataset: { comment: c.id, user: c.user } },
      h('strong', { text: c.name }), ' ', h('span', { class: 'comment-text', text: c.text })));
    activity.comment_count = count ?? activity.comment_count + 1;
    showComments();
    pulse(commentCount);
  };
  const setCommentCount = (count) => {
    if (activity.comment_count === count) return;
    activity.comment_count = count;
    showComments();
    pulse(commentCount);
  };
  const removeComment = (id, count) => {
    comments.querySelector(`[data-comment="${CSS.escape(id)}"]`)?.remove();
    setCommentCount(count);
  };
  // The page's latest comments come newest first; shown oldest first, like a conversation.
  for (const c of [...(activity.latest_comments ?? [])].reverse()) {
    seen.add(c.id);
    comments.append(h('li', { class: 'comment', dataset: { comment: c.id, user: c.user } }, h('strong', { text: c.name }), ' ', h('span', { class: 'comment-text', text: c.text })));
  }
  const box = composer({
    label: 'Comment', placeholder: 'Write a comment…', name: 'comment', maxlength: 1000,
    onSend: (text) => el.dispatchEvent(new CustomEvent('comment', { bubbles: true, detail: { id: activity.id, text, form: box.form } })),
  });
  const el = h('li', { class: 'activity-card', dataset: { activity: activity.id, user: activity.user } },
    h('div', { class: 'row' }, avatar(activity.name, activity.user),
      h('div', { class: 'grow activity-head' },
        h('div', { class: 'activity-author', text: activity.name }),
        h('div', { class: 'muted small', text: `${relativeTime(activity.created_at)} · ${activity.type}${activity.updated_at ? ' · edited' : ''}` })),
      removeButton),
    h('div', { class: 'activity-title', text: activity.title }),
    activity.description ? h('div', { class: 'activity-description', text: activity.description }) : null,
    h('div', { class: 'row' }, likeButton, likeCount, commentCount, challengeButton(activity, ctx.session.user, joinChallenge)),
    comments, box.form);
  showLikes();
  showComments();
  return { el, likeButton, removeButton, showLikes, addComment, removeComment, setCommentCount };
}

/** A friend's `challenge.joined` card carries the challenge: a button to join it too (joining is idempotent). */
function challengeButton(activity, me, joinChallenge) {
  const challenge = activity.type === 'challenge.joined' ? activity.data?.challenge : null;
  if (typeof challenge !== 'string' || activity.user === me) return null;
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'join-challenge', dataset: { challenge }, text: 'Join this challenge' }));
  button.addEventListener('click', () => joinChallenge(button, challenge, activity.data?.title ?? 'the challenge'));
  return button;
}

/** Posting an activity (`POST /api/activities` with a fresh id, so a retried click posts once). */
function postForm(ctx) {
  const type = h('input', { name: 'activity-type', value: 'workout', required: true, maxlength: 64, autocomplete: 'off' });
  const title = h('input', { name: 'activity-title', required: true, maxlength: 200, autocomplete: 'off', placeholder: 'Morning run, 5 km' });
  const description = h('input', { name: 'activity-description', maxlength: 2000, autocomplete: 'off' });
  const submit = h('button', { type: 'submit', text: 'Post' });
  return h('form', {
    class: 'card stack', id: 'post-activity',
    onsubmit: async (e) => {
      e.preventDefault();
      const body = { id: `console-${crypto.randomUUID()}`, type: type.value.trim(), title: title.value.trim(), description: description.value.trim() || undefined };
      // The new activity reaches the feed through `friend_activity` on my own feed channel, like everyone's.
      if (await runAction(ctx, submit, () => ctx.rest.post('/api/activities', body))) {
        title.value = '';
        description.value = '';
      }
    },
  }, h('h2', { text: 'Post an activity' }),
  h('div', { class: 'form-grid' }, field('What', type), field('Title', title), field('Details', description), submit));
}

/** Asking someone to be friends (or accepting their request: a request both ways is a friendship). */
function addFriendForm(ctx, changed) {
  const user = h('input', { name: 'friend-user', required: true, maxlength: 64, autocomplete: 'off', placeholder: 'user id, e.g. bob' });
  const submit = h('button', { type: 'submit', text: 'Add friend' });
  return h('form', {
    class: 'row', id: 'add-friend',
    onsubmit: async (e) => {
      e.preventDefault();
      const other = user.value.trim();
      const answer = await runAction(ctx, submit, () => ctx.rest.post('/api/friends', { user: other }));
      if (!answer) return;
      user.value = '';
      // A request they had sent me becomes a friendship: `friend_added` says so (with their name).
      if (answer.status === 'requested') ctx.toast(`Request sent to ${other}`, 'success');
      await changed();
    },
  }, field('Friend', user), submit);
}
