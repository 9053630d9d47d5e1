// The chat page: conversations with unread badges, messages, typing, online dots and last seen, read
// receipts, new conversations. Live updates come from `conversation:{id}` and `user:{me}` through the
// SDK, which also replays what was missed after a reconnect. Every user-written text is set as text.
// Declared by MessagingFeature (FeatureBuilder.ConsolePage); served at /console/pages/chat.js. `user:{me}` events come
// through the shell's shared hub (ctx.user).
import { h, clear, relativeTime, clockTime } from '/js/dom.js';
import { toast } from '/js/components/toasts.js';
import { TypingTracker, typingLine, typingSender } from '/js/components/typing.js';
import { composer } from '/js/components/composer.js';
import { renderList, userIds } from '/js/components/list.js';

const PAGE_SIZE = 50;

/** Mounts the chat page. @param {HTMLElement} root @param {import('/js/shell/context.js').ConsoleContext} ctx */
export async function mount(root, ctx) {
  const page = new ChatPage(root, ctx);
  page.start();
  return { shown: () => page.onShown(), unmount: () => page.dispose() };
}

/** A random id for idempotent sends (crypto.randomUUID needs a secure context; this does not). */
function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Orders messages oldest first (time, then id) for display. */
function byTime(a, b) {
  const d = new Date(a.created_at).getTime() - new Date(b.created_at).getTime();
  if (d !== 0) return d;
  return String(a.id ?? '').localeCompare(String(b.id ?? ''));
}

class ChatPage {
  /**
   * @param {HTMLElement} root
   * @param {import('/js/shell/context.js').ConsoleContext} ctx
   */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.client = ctx.client;
    this.rest = ctx.rest;
    this.me = ctx.session;
    /** @type {Map<string, any>} */ this.conversations = new Map();
    /** @type {Map<string, any>} */ this.subs = new Map();
    /** @type {Map<string, {items: any[], cursor: string|null, loaded: boolean}>} */ this.messages = new Map();
    /** @type {Map<string, {is_online: boolean, last_seen: string|null}>} */ this.statuses = new Map();
    /** @type {Map<string, TypingTracker>} conversation → who is typing there */ this.typing = new Map();
    /** @type {Map<string, Map<string, string>>} conversation → user → last read message id */ this.reads = new Map();
    /** @type {Map<string, string>} conversation → last message id this user marked read */ this.readSent = new Map();
    this.current = null;
    this.creating = false;
    this.typingOut = typingSender(() => this.subs.get(this.current));
    this.disposed = false;
    this.offs = [];
    this.render();
  }

  // ---- lifecycle --------------------------------------------------------------------------------------

  async start() {
    this.offs.push(
      this.ctx.user.on('status', (p) => this.onStatus(p.data)),
      this.ctx.user.on('conversation_added', (p) => this.addConversation(p.data, true)),
      this.ctx.user.on('reload', () => this.loadConversations()),
    );
    this.offs.push(this.client.on('connected', () => this.renderHeader()));
    const refresh = setInterval(() => this.renderHeader(), 30000);
    this.offs.push(() => clearInterval(refresh));
    const onVisible = () => this.markRead();
    document.addEventListener('visibilitychange', onVisible);
    this.offs.push(() => document.removeEventListener('visibilitychange', onVisible));
    await this.loadConversations();
  }

  dispose() {
    this.disposed = true;
    for (const off of this.offs) off();
    for (const sub of this.subs.values()) sub.unsubscribe();
    for (const tracker of this.typing.values()) tracker.dispose();
    clear(this.root);
  }

  /** Called when the page becomes the visible one. */
  onShown() {
    this.markRead();
    this.input?.focus();
  }

  isVisible() {
    return this.ctx.isVisible(this.root);
  }

  // ---- data -------------------------------------------------------------------------------------------

  async loadConversations() {
    try {
      // Pages of 100, newest activity first, up to 1,000 conversations (older ones come back as they get messages).
      let before = null;
      for (let page = 0; page < 10; page++) {
        const query = before ? `?limit=100&before=${encodeURIComponent(before)}` : '?limit=100';
        const { conversations, next_cursor: next } = await this.rest.get(`/api/conversations${query}`);
        if (this.disposed) return;
        for (const c of conversations) this.addConversation(c, false);
        if (!next) break;
        before = next;
      }
      this.renderList();
      if (!this.current && this.conversations.size > 0) this.open(this.sorted()[0].id);
    } catch (err) {
      // A 401 is the shell's to handle (ctx.rest signs out with one toast).
      if (err.status !== 401 && !this.disposed) toast(`Cannot load conversations: ${err.message}`, 'error');
    }
  }

  /** Adds or refreshes a conversation, subscribes to its channel and asks for its people's status. */
  addConversation(conversation, announce) {
    const known = this.conversations.get(conversation.id);
    this.conversations.set(conversation.id, { ...known, ...conversation });
    if (!this.subs.has(conversation.id)) {
      const id = conversation.id;
      this.subs.set(id, this.client.subscribe(`conversation:${id}`, {
        message: (p) => this.onMessage(id, p.data),
        message_edited: (p) => this.onMessage(id, p.data, true),
        message_deleted: (p) => this.onMessage(id, p.data, true),
        read: (p) => this.onRead(id, p.data),
        participants_changed: (p) => { this.addConversation(p.data, false); },
        typing: (t) => this.trackerOf(id).onTyping(t),
        reload: () => this.reloadConversation(id),
      }));
      // Not for one this tab is creating: its conversation_added may arrive before the REST answer.
      if (announce && !this.creating) toast(`New conversation: ${this.titleOf(this.conversations.get(id))}`, 'info');
    }
    for (const p of conversation.participants ?? []) {
      if (p.user !== this.me.user && !this.statuses.has(p.user)) this.fetchStatus(p.user);
    }
    this.renderList();
    if (this.current === conversation.id) this.renderHeader();
  }

  async fetchStatus(user) {
    this.statuses.set(user, { is_online: false, last_seen: null, pending: true });
    try {
      const s = await this.rest.get(`/api/users/${encodeURIComponent(user)}/status`);
      if (this.statuses.get(user)?.pending) this.statuses.set(user, s);
      this.renderList();
      this.renderHeader();
    } catch {
      this.statuses.delete(user);
    }
  }

  async loadMessages(id, older = false) {
    const state = this.messages.get(id) ?? { items: [], cursor: null, loaded: false };
    this.messages.set(id, state);
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (older && state.cursor) query.set('before', state.cursor);
    try {
      const page = await this.rest.get(`/api/conversations/${encodeURIComponent(id)}/messages?${query}`);
      for (const m of page.messages) this.merge(id, m);
      if (!older || state.cursor) state.cursor = page.next_cursor ?? null;
      state.loaded = true;
      if (this.current === id) {
        this.renderMessages(!older);
        this.markRead();
      }
    } catch (err) {
      toast(`Cannot load messages: ${err.message}`, 'error');
    }
  }

  /** The server could not replay what this tab missed: fetch the conversation's latest state again. */
  async reloadConversation(id) {
    toast('Missed updates could not be replayed; reloading the conversation.', 'warn');
    this.messages.delete(id);
    if (this.current === id) await this.loadMessages(id);
    await this.loadConversations();
  }

  /** Puts a message into its conversation's list: replaces a pending copy (same client_id) or an older version. */
  merge(id, message) {
    const state = this.messages.get(id);
    if (!state) return;
    const i = state.items.findIndex((m) => (m.id && m.id === message.id) || (message.client_id && m.pending && m.client_id === message.client_id));
    if (i >= 0) state.items[i] = message;
    else state.items.push(message);
    state.items.sort((a, b) => (a.pending ? 1 : 0) - (b.pending ? 1 : 0) || byTime(a, b));
  }

  // ---- events -----------------------------------------------------------------------------------------

  onMessage(id, message, changed = false) {
    const conversation = this.conversations.get(id);
    if (!conversation || !message) return;
    const state = this.messages.get(id);
    const isNew = !changed && !state?.items.some((m) => m.id === message.id);
    this.merge(id, message);
    if (!changed) {
      if (!conversation.last_message || byTime(conversation.last_message, message) <= 0) conversation.last_message = message;
      this.typing.get(id)?.clear(message.sender?.user);
      if (isNew && message.sender?.user !== this.me.user && !(this.current === id && this.isVisible())) {
        conversation.unread_count = (conversation.unread_count ?? 0) + 1;
      }
    } else if (conversation.last_message?.id === message.id) {
      conversation.last_message = message;
    }
    this.renderList();
    if (this.current === id) {
      this.renderMessages(true);
      this.markRead();
    }
  }

  onRead(id, receipt) {
    if (!receipt?.user) return;
    const users = this.reads.get(id) ?? new Map();
    users.set(receipt.user, receipt.message_id);
    this.reads.set(id, users);
    if (receipt.user === this.me.user) {
      // Read in another tab of mine: the badge goes here too.
      const c = this.conversations.get(id);
      if (c && c.last_message?.id === receipt.message_id) c.unread_count = 0;
      this.renderList();
    }
    if (this.current === id) this.renderMessages(false);
  }

  /** Who is typing in a conversation; the list's preview and the open thread's line follow it. */
  trackerOf(id) {
    let tracker = this.typing.get(id);
    if (!tracker) {
      tracker = new TypingTracker(this.me.user, () => {
        this.renderList();
        if (this.current === id) this.renderTyping();
      });
      this.typing.set(id, tracker);
    }
    return tracker;
  }

  onStatus(status) {
    if (!status?.user) return;
    this.statuses.set(status.user, { is_online: !!status.is_online, last_seen: status.last_seen ?? null });
    this.renderList();
    this.renderHeader();
  }

  // ---- actions ----------------------------------------------------------------------------------------

  open(id) {
    if (!this.conversations.has(id)) return;
    this.current = id;
    if (this.input) this.input.value = '';
    this.renderList();
    this.renderHeader();
    this.renderTyping();
    if (this.messages.get(id)?.loaded) {
      this.renderMessages(true);
      this.markRead();
    } else {
      clear(this.list).append(h('li', { class: 'muted center', text: 'Loading…' }));
      this.loadMessages(id);
    }
  }

  /** Tells the server this user has read the open conversation up to its newest message from someone else. */
  markRead() {
    const id = this.current;
    if (!id || !this.isVisible()) return;
    const items = this.messages.get(id)?.items ?? [];
    const last = [...items].reverse().find((m) => m.id && !m.pending);
    const conversation = this.conversations.get(id);
    if (conversation && conversation.unread_count) {
      conversation.unread_count = 0;
      this.renderList();
    }
    if (!last || last.sender?.user === this.me.user || this.readSent.get(id) === last.id) return;
    this.readSent.set(id, last.id);
    this.client.call('chat.read', { conversation: id, message: last.id }).catch(() => this.readSent.delete(id));
  }

  async send(text) {
    const id = this.current;
    if (!id || !text.trim()) return;
    const clientId = newClientId();
    const pending = { id: null, client_id: clientId, conversation: id, sender: { user: this.me.user, name: this.me.name }, text, created_at: new Date().toISOString(), pending: true };
    this.merge(id, pending);
    this.renderMessages(true);
    this.typingOut.stop();
    const request = { conversation: id, text, client_id: clientId };
    try {
      let message;
      try {
        message = await this.client.call('chat.send', request);
      } catch (err) {
        // Sent, then the connection dropped: the same client_id makes a retry create one message, not two.
        if (err.code !== 'disconnected') throw err;
        message = await this.client.call('chat.send', request);
      }
      this.onMessage(id, message);
    } catch (err) {
      pending.failed = true;
      toast(`Message not sent: ${err.message}`, 'error');
      this.renderMessages(false);
    }
  }

  async createConversation(participantsText, title) {
    const participants = userIds(participantsText, this.me.user);
    if (participants.length === 0) {
      toast('Name at least one other user id.', 'warn');
      return false;
    }
    const body = { kind: participants.length > 1 || title ? 'group' : 'direct', participants };
    if (title) body.title = title;
    this.creating = true;
    try {
      const conversation = await this.rest.post('/api/conversations', body);
      this.addConversation(conversation, false);
      this.open(conversation.id);
      return true;
    } catch (err) {
      toast(`Cannot create the conversation: ${err.message}`, 'error');
      return false;
    } finally {
      this.creating = false;
    }
  }

  // ---- view -------------------------------------------------------------------------------------------

  titleOf(c) {
    if (!c) return '';
    if (c.title) return c.title;
    const others = (c.participants ?? []).filter((p) => p.user !== this.me.user);
    return others.length ? others.map((p) => p.name || p.user).join(', ') : 'Just you';
  }

  /** The one other participant of a direct conversation, if it is one. */
  peerOf(c) {
    const others = (c?.participants ?? []).filter((p) => p.user !== this.me.user);
    return c?.kind === 'direct' && others.length === 1 ? others[0] : null;
  }

  sorted() {
    const at = (c) => new Date(c.last_message?.created_at ?? c.created_at ?? 0).getTime();
    return [...this.conversations.values()].sort((a, b) => at(b) - at(a));
  }

  render() {
    this.convList = h('ul', { id: 'conversations', class: 'conversations' });
    this.title = h('h2', { id: 'conv-title' });
    this.subtitle = h('div', { id: 'peer-status', class: 'muted small' });
    this.list = h('ol', { id: 'messages', class: 'messages' });
    this.typingLine = typingLine({ id: 'typing' });
    const { form, input } = composer({ id: 'composer', onSend: (text) => this.send(text), onType: (text) => this.typingOut.typed(text) });
    this.composer = form;
    this.input = input;

    const participants = h('input', { name: 'participants', placeholder: 'user ids, e.g. bob or bob, carol', autocomplete: 'off', required: true });
    const title = h('input', { name: 'title', placeholder: 'title (groups, optional)', autocomplete: 'off', maxlength: 200 });
    const newForm = h('form', {
      id: 'new-conv', class: 'stack new-conv', hidden: true,
      onsubmit: async (e) => {
        e.preventDefault();
        if (await this.createConversation(participants.value, title.value.trim())) {
          newForm.hidden = true;
          newForm.reset();
        }
      },
    }, participants, title, h('div', { class: 'row' }, h('button', { type: 'submit', text: 'Start' }),
      h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => { newForm.hidden = true; } })));

    clear(this.root).append(h('div', { class: 'chat' },
      h('aside', { class: 'sidebar' },
        h('div', { class: 'row between' }, h('h2', { text: 'Conversations' }),
          h('button', { type: 'button', id: 'new-conv-toggle', title: 'New conversation', text: '+ New', onclick: () => { newForm.hidden = !newForm.hidden; if (!newForm.hidden) participants.focus(); } })),
        newForm, this.convList),
      h('section', { class: 'thread' },
        h('header', { class: 'thread-head' }, this.title, this.subtitle),
        this.list, this.typingLine.el, this.composer)));
    this.renderHeader();
  }

  renderList() {
    if (this.disposed) return;
    renderList(this.convList, this.sorted(), {
      key: (c) => c.id,
      dataset: (c) => ({ id: c.id }),
      active: this.current,
      onOpen: (id) => this.open(id),
      empty: 'No conversations yet. Start one with “+ New”.',
      render: (c) => {
        const peer = this.peerOf(c);
        const online = peer ? this.statuses.get(peer.user)?.is_online : (c.participants ?? []).some((p) => p.user !== this.me.user && this.statuses.get(p.user)?.is_online);
        const typingNames = this.typing.get(c.id)?.names() ?? [];
        const preview = typingNames.length ? `${typingNames.join(', ')} typing…`
          : c.last_message ? `${c.last_message.sender?.user === this.me.user ? 'You: ' : ''}${c.last_message.deleted ? 'message deleted' : c.last_message.text}` : 'No messages yet';
        return [
          h('span', { class: `dot${online ? ' online' : ''}`, title: online ? 'online' : 'offline' }),
          h('div', { class: 'conv-body' },
            h('div', { class: 'conv-title', text: this.titleOf(c) }),
            h('div', { class: `conv-preview${typingNames.length ? ' is-typing' : ''}`, text: preview })),
          c.unread_count > 0 ? h('span', { class: 'badge', text: c.unread_count > 99 ? '99+' : c.unread_count }) : null,
        ];
      },
    });
  }

  renderHeader() {
    if (this.disposed) return;
    const c = this.conversations.get(this.current);
    this.composer.hidden = !c;
    if (!c) {
      this.title.textContent = 'No conversation open';
      this.subtitle.textContent = '';
      return;
    }
    this.title.textContent = this.titleOf(c);
    const peer = this.peerOf(c);
    if (peer) {
      const s = this.statuses.get(peer.user);
      this.subtitle.dataset.online = String(!!s?.is_online);
      this.subtitle.textContent = !s || s.pending ? '' : s.is_online ? 'online' : s.last_seen ? `last seen ${relativeTime(s.last_seen)}` : 'offline';
    } else {
      const others = (c.participants ?? []).filter((p) => p.user !== this.me.user);
      const online = others.filter((p) => this.statuses.get(p.user)?.is_online).length;
      this.subtitle.dataset.online = String(online > 0);
      this.subtitle.textContent = `${others.length + 1} people, ${online} online besides you`;
    }
  }

  renderTyping() {
    this.typingLine.show(this.typing.get(this.current)?.names() ?? []);
  }

  /** @param {boolean} scroll whether to keep the view at the newest message */
  renderMessages(scroll) {
    if (this.disposed || !this.current) return;
    const state = this.messages.get(this.current);
    if (!state) return;
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
    const readers = new Map();
    for (const [user, messageId] of this.reads.get(this.current) ?? []) {
      if (user === this.me.user) continue;
      const name = (this.conversations.get(this.current)?.participants ?? []).find((p) => p.user === user)?.name ?? user;
      readers.set(messageId, [...(readers.get(messageId) ?? []), name]);
    }
    const rows = [];
    if (state.cursor) {
      rows.push(h('li', { class: 'center' }, h('button', { type: 'button', class: 'secondary', id: 'load-older', text: 'Load earlier messages', onclick: () => this.loadMessages(this.current, true) })));
    }
    if (state.items.length === 0) rows.push(h('li', { class: 'muted center', text: 'No messages yet. Say hello!' }));
    for (const m of state.items) {
      const mine = m.sender?.user === this.me.user;
      const status = m.failed ? 'not sent' : m.pending ? 'sending…' : m.edited_at && !m.deleted ? 'edited' : '';
      const seenBy = m.id ? readers.get(m.id) : null;
      rows.push(h('li', { class: `msg${mine ? ' mine' : ''}${m.pending ? ' pending' : ''}${m.deleted ? ' deleted' : ''}`, dataset: { id: m.id ?? '', clientId: m.client_id ?? '' } },
        mine ? null : h('div', { class: 'sender', text: m.sender?.name ?? m.sender?.user ?? '' }),
        h('div', { class: 'bubble' }, h('span', { class: 'text', text: m.deleted ? 'message deleted' : m.text })),
        h('div', { class: 'meta' }, h('time', { datetime: m.created_at, text: clockTime(m.created_at) }), status ? ` · ${status}` : ''),
        seenBy ? h('div', { class: 'receipt', text: `Seen by ${seenBy.join(', ')}` }) : null));
    }
    clear(this.list).append(...rows);
    if (scroll || nearBottom) this.list.scrollTop = this.list.scrollHeight;
  }
}
