// The chat page: conversations with unread badges, messages, typing, online dots and last seen, read
// receipts, new conversations. Live updates come from `conversation:{id}` and `user:{me}` through the
// SDK, which also replays what was missed after a reconnect. Every user-written text is set as text.
import { h, clear, toast, relativeTime, clockTime } from './dom.js';
import { api, newClientId, byTime } from './chat-api.js';
import { TYPING_RESEND_MS, TYPING_FALLBACK_MS } from './typing.js';

const PAGE_SIZE = 50;

export class ChatPage {
  /**
   * @param {HTMLElement} root
   * @param {import('/sdk/hubbub.js').HubbubClient} client
   * @param {import('./session.js').Session} session
   */
  constructor(root, client, session) {
    this.root = root;
    this.client = client;
    this.me = session;
    /** @type {Map<string, any>} */ this.conversations = new Map();
    /** @type {Map<string, any>} */ this.subs = new Map();
    /** @type {Map<string, {items: any[], cursor: string|null, loaded: boolean}>} */ this.messages = new Map();
    /** @type {Map<string, {is_online: boolean, last_seen: string|null}>} */ this.statuses = new Map();
    /** @type {Map<string, Map<string, {name: string, timer: any}>>} */ this.typing = new Map();
    /** @type {Map<string, Map<string, string>>} conversation → user → last read message id */ this.reads = new Map();
    /** @type {Map<string, string>} conversation → last message id this user marked read */ this.readSent = new Map();
    this.current = null;
    this.creating = false;
    this.lastTypingSent = 0;
    this.disposed = false;
    /** @type {(() => void) | null} called when the server refuses the token */
    this.onUnauthorized = null;
    this.offs = [];
    this.render();
  }

  // ---- lifecycle --------------------------------------------------------------------------------------

  async start() {
    const mine = this.client.subscribe(`user:${this.me.user}`, {
      status: (p) => this.onStatus(p.data),
      conversation_added: (p) => this.addConversation(p.data, true),
      reload: () => this.loadConversations(),
    });
    this.offs.push(() => mine.unsubscribe());
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
    for (const users of this.typing.values()) for (const t of users.values()) clearTimeout(t.timer);
    clear(this.root);
  }

  /** Called when the page becomes the visible one. */
  onShown() {
    this.markRead();
    this.input?.focus();
  }

  isVisible() {
    return !this.root.hidden && document.visibilityState === 'visible';
  }

  // ---- data -------------------------------------------------------------------------------------------

  async loadConversations() {
    try {
      const { conversations } = await api(this.me, '/api/conversations');
      for (const c of conversations) this.addConversation(c, false);
      this.renderList();
      if (!this.current && conversations.length > 0) this.open(this.sorted()[0].id);
    } catch (err) {
      // Browsers hide a refused WebSocket handshake, but a refused REST call says 401 plainly.
      if (err.status === 401) this.onUnauthorized?.();
      else toast(`Cannot load conversations: ${err.message}`, 'error');
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
        typing: (t) => this.onTyping(id, t),
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
      const s = await api(this.me, `/api/users/${encodeURIComponent(user)}/status`);
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
      const page = await api(this.me, `/api/conversations/${encodeURIComponent(id)}/messages?${query}`);
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
      this.clearTyping(id, message.sender?.user);
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

  onTyping(id, t) {
    if (!t?.user || t.user === this.me.user) return;
    const users = this.typing.get(id) ?? new Map();
    this.typing.set(id, users);
    clearTimeout(users.get(t.user)?.timer);
    if (t.is_typing) users.set(t.user, { name: t.name ?? t.user, timer: setTimeout(() => this.clearTyping(id, t.user), TYPING_FALLBACK_MS) });
    else users.delete(t.user);
    this.renderList();
    if (this.current === id) this.renderTyping();
  }

  clearTyping(id, user) {
    const users = this.typing.get(id);
    if (!users?.has(user)) return;
    clearTimeout(users.get(user).timer);
    users.delete(user);
    this.renderList();
    if (this.current === id) this.renderTyping();
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
    this.subs.get(id)?.typing(false);
    this.lastTypingSent = 0;
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

  onInput() {
    const sub = this.subs.get(this.current);
    if (!sub) return;
    const now = Date.now();
    if (this.input.value.trim() && now - this.lastTypingSent > TYPING_RESEND_MS) {
      if (sub.typing(true)) this.lastTypingSent = now;
    }
  }

  async createConversation(participantsText, title) {
    const participants = [...new Set(participantsText.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s && s !== this.me.user))];
    if (participants.length === 0) {
      toast('Name at least one other user id.', 'warn');
      return false;
    }
    const body = { kind: participants.length > 1 || title ? 'group' : 'direct', participants };
    if (title) body.title = title;
    this.creating = true;
    try {
      const conversation = await api(this.me, '/api/conversations', { method: 'POST', body });
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
    this.typingLine = h('div', { id: 'typing', class: 'typing', 'aria-live': 'polite' });
    this.input = h('input', { name: 'text', placeholder: 'Write a message…', autocomplete: 'off', maxlength: 4000, oninput: () => this.onInput() });
    this.composer = h('form', {
      id: 'composer', class: 'composer',
      onsubmit: (e) => {
        e.preventDefault();
        const text = this.input.value;
        this.input.value = '';
        this.send(text);
      },
    }, this.input, h('button', { type: 'submit', text: 'Send' }));

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
        this.list, this.typingLine, this.composer)));
    this.renderHeader();
  }

  renderList() {
    if (this.disposed) return;
    const items = this.sorted().map((c) => {
      const peer = this.peerOf(c);
      const online = peer ? this.statuses.get(peer.user)?.is_online : (c.participants ?? []).some((p) => p.user !== this.me.user && this.statuses.get(p.user)?.is_online);
      const typingNames = [...(this.typing.get(c.id)?.values() ?? [])].map((t) => t.name);
      const preview = typingNames.length ? `${typingNames.join(', ')} typing…`
        : c.last_message ? `${c.last_message.sender?.user === this.me.user ? 'You: ' : ''}${c.last_message.deleted ? 'message deleted' : c.last_message.text}` : 'No messages yet';
      return h('li', {
        class: `conv${c.id === this.current ? ' active' : ''}`, dataset: { id: c.id }, tabindex: 0,
        onclick: () => this.open(c.id), onkeydown: (e) => { if (e.key === 'Enter') this.open(c.id); },
      },
      h('span', { class: `dot${online ? ' online' : ''}`, title: online ? 'online' : 'offline' }),
      h('div', { class: 'conv-body' },
        h('div', { class: 'conv-title', text: this.titleOf(c) }),
        h('div', { class: `conv-preview${typingNames.length ? ' is-typing' : ''}`, text: preview })),
      c.unread_count > 0 ? h('span', { class: 'badge', text: c.unread_count > 99 ? '99+' : c.unread_count }) : null);
    });
    clear(this.convList).append(...(items.length ? items : [h('li', { class: 'muted empty', text: 'No conversations yet. Start one with “+ New”.' })]));
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
    const names = [...(this.typing.get(this.current)?.values() ?? [])].map((t) => t.name);
    this.typingLine.textContent = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
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
