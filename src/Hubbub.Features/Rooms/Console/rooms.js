// The rooms page: the rooms I am a member of, a new-room form, and one open room with its members (online dots from
// presence), messages (publications on `room:{id}`), typing and a shared board where every member's cursor shows.
// Membership goes through the REST API (docs/features/rooms.md); everything live goes through the SDK, which also
// replays what was missed after a reconnect. Every user-written text is set as text.
// Declared by RoomsFeature (FeatureBuilder.ConsolePage); served at /console/pages/rooms.js. room_added/room_removed come through the shared hub (ctx.user), so
// this page works whether or not the chat page was ever opened.
import { h, clear, clockTime } from '/js/dom.js';
import { toast } from '/js/components/toasts.js';
import { TypingTracker, typingLine, typingSender } from '/js/components/typing.js';
import { composer } from '/js/components/composer.js';
import { renderList, userIds } from '/js/components/list.js';

const HISTORY = 50;
/** Messages kept on screen per room; older ones are dropped as new ones come. */
const KEEP = 200;
/** Cursors the server coalesces to one per user per 100 ms; sending more often than that is wasted. */
const CURSOR_EVERY_MS = 50;
/** A cursor not moved for this long is faded out. */
const CURSOR_IDLE_MS = 10000;

/** Mounts the rooms page. @param {HTMLElement} root @param {import('/js/shell/context.js').ConsoleContext} ctx */
export async function mount(root, ctx) {
  const page = new RoomsPage(root, ctx);
  page.start();
  return { unmount: () => page.dispose() };
}

class RoomsPage {
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
    /** @type {Map<string, any>} */ this.rooms = new Map();
    this.current = null;
    /** @type {any} */ this.sub = null;
    this.items = [];
    /** @type {Set<string>} */ this.online = new Set();
    /** Display names by user id, learned from presence, messages and the user directory (members are listed by id). */
    /** @type {Map<string, string>} */ this.names = new Map([[this.me.user, this.me.name]]);
    /** @type {Set<string>} ids whose name was asked for already */ this.askedNames = new Set();
    this.typing = new TypingTracker(this.me.user, () => this.renderTyping());
    this.typingOut = typingSender(() => this.sub);
    /** @type {Map<string, {el: HTMLElement, timer: any}>} */ this.cursors = new Map();
    this.lastCursorSent = 0;
    this.disposed = false;
    /** The room this tab is leaving: its `unsubscribed` is expected, not news. */
    this.leaving = null;
    this.addValue = '';
    /** @type {{x: number, y: number} | null} */ this.nextCursor = null;
    this.cursorTimer = null;
    this.offs = [];
    this.render();
  }

  async start() {
    this.offs.push(this.client.on('connected', () => this.refreshPresence()));
    const mine = this.ctx.user;
    this.offs.push(mine.on('room_added', (p) => this.onRoomAdded(p.data)));
    this.offs.push(mine.on('room_removed', (p) => { if (p.data?.room) this.forget(p.data.room); }));
    this.offs.push(mine.on('reload', () => this.loadRooms()));
    // Listen first, then load: a room added between the two is not lost (the list merges what both say).
    try {
      await mine.ready();
    } catch {
      // Refused (cannot happen for one's own channel) or closed: the list below still loads.
    }
    await this.loadRooms();
  }

  onRoomAdded(room) {
    if (!room?.id) return;
    const known = this.rooms.has(room.id);
    this.rooms.set(room.id, room);
    this.renderList();
    if (!known) toast(`You were added to room ${room.title || room.id}`, 'info');
    if (this.current === room.id) this.renderHead();
  }

  dispose() {
    this.disposed = true;
    for (const off of this.offs) off();
    this.leaveChannel();
    clear(this.root);
  }

  // ---- data -------------------------------------------------------------------------------------------

  async loadRooms() {
    try {
      const { rooms } = await this.rest.get('/api/rooms?limit=100'); // the newest 100 (the list is paged)
      if (this.disposed) return;
      for (const r of rooms) this.rooms.set(r.id, r);
      this.renderList();
      if (!this.current && rooms.length > 0) this.open(rooms[0].id);
    } catch (err) {
      if (err.status !== 401 && !this.disposed) toast(`Cannot load rooms: ${err.message}`, 'error');
    }
  }

  async create(id, title, membersText) {
    const members = userIds(membersText, this.me.user);
    try {
      const room = await this.rest.post('/api/rooms', { id: id || undefined, title: title || undefined, members });
      this.rooms.set(room.id, room);
      this.renderList();
      this.open(room.id);
      return true;
    } catch (err) {
      toast(`Room not created: ${err.message}`, 'error');
      return false;
    }
  }

  async addMember(user) {
    const id = this.current;
    if (!id || !user) return;
    try {
      const room = await this.rest.post(`/api/rooms/${encodeURIComponent(id)}/members`, { members: [user] });
      this.rooms.set(id, room);
      this.renderHead();
    } catch (err) {
      toast(`Not added: ${err.message}`, 'error');
    }
  }

  async leave() {
    const id = this.current;
    if (!id) return;
    this.leaving = id;
    try {
      await this.rest.delete(`/api/rooms/${encodeURIComponent(id)}/members/me`);
      this.forget(id);
    } catch (err) {
      toast(`Cannot leave: ${err.message}`, 'error');
    } finally {
      this.leaving = null;
    }
  }

  forget(id) {
    this.rooms.delete(id);
    if (this.current === id) {
      this.leaveChannel();
      this.current = null;
      this.renderRoom();
    }
    this.renderList();
  }

  // ---- the open room ----------------------------------------------------------------------------------

  open(id) {
    if (this.disposed || !this.rooms.has(id) || this.current === id) return;
    this.leaveChannel();
    this.current = id;
    this.items = [];
    this.online = new Set();
    const channel = `room:${id}`;
    this.sub = this.client.subscribe(channel, {
      subscribed: () => this.refreshPresence(),
      message: (p) => this.onMessage(p),
      // The server's own events carry no `from`; a member publishing these names is ignored.
      member_added: (p) => { if (!p.from) this.onMembers(p.data?.user, true); },
      member_removed: (p) => { if (!p.from) this.onMembers(p.data?.user, false); },
      typing: (t) => this.typing.onTyping(t),
      cursor: (c) => this.onCursor(c),
      presence_join: (u) => { this.online.add(u.user); this.learnName(u.user, u.name); this.renderHead(); },
      presence_leave: (u) => { this.online.delete(u.user); this.renderHead(); this.dropCursor(u.user); },
      // Missed publications cannot be replayed (the stream restarted): start the list again from history.
      reload: () => { this.items = []; this.loadHistory(); },
      unsubscribed: (e) => {
        if (e.reason && this.leaving !== id) {
          toast(`You are no longer in room ${id}.`, 'warn');
          this.forget(id);
        }
      },
    });
    this.renderList();
    this.renderRoom();
    this.loadHistory();
  }

  leaveChannel() {
    this.sub?.unsubscribe();
    this.sub = null;
    this.typing.dispose();
    for (const c of this.cursors.values()) clearTimeout(c.timer);
    this.cursors.clear();
    clearTimeout(this.cursorTimer);
    this.cursorTimer = null;
    this.nextCursor = null;
  }

  async loadHistory() {
    const sub = this.sub;
    if (!sub) return;
    try {
      await sub.ready();
      const { publications } = await sub.history({ limit: HISTORY });
      if (sub !== this.sub) return;
      for (const p of publications) this.addItem(p);
      this.renderMessages();
    } catch (err) {
      if (sub === this.sub) toast(`Cannot open the room: ${err.message}`, 'error');
    }
  }

  async refreshPresence() {
    const sub = this.sub;
    if (!sub || sub.state !== 'subscribed') return;
    try {
      const { members } = await sub.presence();
      if (sub !== this.sub) return;
      this.online = new Set(members.map((m) => m.user));
      for (const m of members) this.learnName(m.user, m.name);
      this.renderHead();
    } catch {
      // The next presence_join/leave corrects it.
    }
  }

  /** Keeps publications in offset order, once each (history and live may overlap). */
  addItem(p) {
    if (typeof p.offset !== 'number' || this.items.some((i) => i.offset === p.offset)) return;
    this.items.push(p);
    this.items.sort((a, b) => a.offset - b.offset);
    if (this.items.length > KEEP) this.items.splice(0, this.items.length - KEEP);
  }

  onMessage(p) {
    this.addItem(p);
    if (p.from) this.learnName(p.from.user, p.from.name);
    this.typing.clear(p.from?.user);
    this.renderMessages();
  }

  /** Remembers a member's display name; true when it is new or changed. */
  learnName(user, name) {
    if (!user || typeof name !== 'string' || !name || this.names.get(user) === name) return false;
    this.names.set(user, name);
    return true;
  }

  /** Asks the user directory (GET /api/users/{id}) once for each member whose name is not known yet. */
  async loadNames(members) {
    const unknown = members.filter((m) => !this.names.has(m) && !this.askedNames.has(m));
    if (unknown.length === 0) return;
    for (const m of unknown) this.askedNames.add(m);
    const answers = await Promise.all(unknown.map((m) => this.rest.get(`/api/users/${encodeURIComponent(m)}`).catch(() => null)));
    let changed = false;
    for (const a of answers) changed = this.learnName(a?.user, a?.name) || changed;
    if (changed && !this.disposed) this.renderHead();
  }

  onMembers(user, added) {
    const room = this.rooms.get(this.current);
    if (!room || !user) return;
    const members = new Set(room.members);
    if (added) members.add(user);
    else members.delete(user);
    room.members = [...members];
    this.renderHead();
  }

  onCursor(c) {
    if (!c?.user || c.user === this.me.user || typeof c.x !== 'number' || typeof c.y !== 'number') return;
    let cursor = this.cursors.get(c.user);
    if (!cursor) {
      cursor = { el: h('span', { class: 'cursor', dataset: { user: c.user } }, h('span', { class: 'cursor-name', text: c.name ?? c.user })), timer: null };
      this.cursors.set(c.user, cursor);
      this.board?.append(cursor.el);
    }
    cursor.el.style.left = `${Math.min(1, Math.max(0, c.x)) * 100}%`;
    cursor.el.style.top = `${Math.min(1, Math.max(0, c.y)) * 100}%`;
    cursor.el.classList.remove('idle');
    clearTimeout(cursor.timer);
    cursor.timer = setTimeout(() => cursor.el.classList.add('idle'), CURSOR_IDLE_MS);
  }

  dropCursor(user) {
    const cursor = this.cursors.get(user);
    if (!cursor) return;
    clearTimeout(cursor.timer);
    cursor.el.remove();
    this.cursors.delete(user);
  }

  async send(text) {
    if (!this.sub || !text.trim()) return;
    this.typingOut.stop();
    try {
      // The time travels in the message: publications themselves carry none.
      await this.sub.publish({ text, at: new Date().toISOString() });
    } catch (err) {
      toast(`Message not sent: ${err.message}`, 'error');
    }
  }

  /** @param {PointerEvent} e a mouse, a finger or a pen moving over the board */
  onBoardMove(e) {
    const box = this.board?.getBoundingClientRect();
    if (!this.sub || !box || box.width === 0 || box.height === 0) return;
    this.nextCursor = {
      x: Math.round(((e.clientX - box.left) / box.width) * 1000) / 1000,
      y: Math.round(((e.clientY - box.top) / box.height) * 1000) / 1000,
    };
    // At most one every CURSOR_EVERY_MS, and the last position always goes out (after the wait, if needed).
    if (this.cursorTimer) return;
    const wait = this.lastCursorSent + CURSOR_EVERY_MS - Date.now();
    if (wait <= 0) this.flushCursor();
    else this.cursorTimer = setTimeout(() => this.flushCursor(), wait);
  }

  flushCursor() {
    this.cursorTimer = null;
    if (!this.sub || !this.nextCursor) return;
    if (this.sub.cursor(this.nextCursor)) this.lastCursorSent = Date.now();
    this.nextCursor = null;
  }

  // ---- rendering --------------------------------------------------------------------------------------

  render() {
    const id = h('input', { placeholder: 'room id (optional)', 'aria-label': 'Room id', maxlength: '64' });
    const title = h('input', { placeholder: 'title', 'aria-label': 'Room title' });
    const members = h('input', { placeholder: 'members: user ids, comma-separated', 'aria-label': 'Members' });
    const form = h('form', {
      class: 'new-conv stack',
      onsubmit: async (e) => {
        e.preventDefault();
        if (await this.create(id.value.trim(), title.value.trim(), members.value)) {
          id.value = ''; title.value = ''; members.value = '';
        }
      },
    }, h('strong', { text: 'New room' }), id, title, members, h('button', { type: 'submit', text: 'Create room' }));
    this.listEl = h('ul', { class: 'conversations', 'aria-label': 'Rooms' });
    this.roomEl = h('section', { class: 'thread' });
    clear(this.root).append(h('div', { class: 'chat rooms' }, h('aside', { class: 'sidebar' }, form, this.listEl), this.roomEl));
    this.renderList();
    this.renderRoom();
  }

  renderList() {
    renderList(this.listEl, [...this.rooms.values()], {
      key: (room) => room.id,
      dataset: (room) => ({ room: room.id }),
      active: this.current,
      onOpen: (id) => this.open(id),
      empty: 'No rooms yet: create one, or ask a room owner to add you.',
      render: (room) => [h('div', { class: 'conv-body' },
        h('div', { class: 'conv-title', text: room.title || room.id }),
        h('div', { class: 'conv-preview', text: `${room.members.length} member${room.members.length === 1 ? '' : 's'}` }))],
    });
  }

  renderRoom() {
    clear(this.roomEl);
    const room = this.rooms.get(this.current);
    if (!room) {
      this.roomEl.append(h('p', { class: 'muted center', text: 'Pick a room, or create one.' }));
      this.head = this.messagesEl = this.typingEl = this.board = this.input = null;
      return;
    }
    this.head = h('header', { class: 'thread-head' });
    this.messagesEl = h('ul', { class: 'messages', 'aria-label': 'Room messages' });
    this.typingEl = typingLine();
    this.board = h('div', { class: 'board', title: 'Shared board: the others see your cursor here', onpointermove: (e) => this.onBoardMove(e), onpointerdown: (e) => this.onBoardMove(e) },
      h('span', { class: 'board-hint muted small', text: 'Move your mouse or finger here: the others in the room see it.' }));
    for (const c of this.cursors.values()) this.board.append(c.el);
    const { form, input } = composer({
      placeholder: 'Write to the room…', label: 'Room message', onSend: (text) => this.send(text), onType: (text) => this.typingOut.typed(text),
    });
    this.input = input;
    this.roomEl.append(this.head, this.board, this.messagesEl, this.typingEl.el, form);
    this.renderHead();
    this.renderMessages();
    this.renderTyping();
  }

  renderHead() {
    const room = this.rooms.get(this.current);
    if (!this.head || !room) return;
    const owner = room.owner === this.me.user;
    // Rebuilt on every presence change: what the owner was typing is kept.
    const add = h('input', { placeholder: 'user id', 'aria-label': 'Add member', value: this.addValue, oninput: () => { this.addValue = add.value; } });
    clear(this.head).append(
      h('div', { class: 'row between' },
        h('h2', { text: room.title || room.id }),
        owner
          ? h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); this.addMember(add.value.trim()); add.value = ''; this.addValue = ''; } },
            add, h('button', { type: 'submit', text: 'Add' }))
          : h('button', { type: 'button', class: 'link', text: 'Leave room', onclick: () => this.leave() })),
      h('div', { class: 'row small members' }, room.members.map((m) => {
        // Names as in chat; the id stays in the tooltip (and data-user), since two people may share a name.
        const name = this.names.get(m) ?? m;
        return h('span', { class: 'member', dataset: { user: m }, title: m },
          h('span', { class: `dot${this.online.has(m) ? ' online' : ''}`, title: this.online.has(m) ? 'in the room now' : 'not here' }),
          m === room.owner ? `${name} (owner)` : name);
      })));
    this.loadNames(room.members);
  }

  renderMessages() {
    if (!this.messagesEl) return;
    clear(this.messagesEl);
    const shown = this.items.filter((p) => p.type === 'message');
    if (shown.length === 0) this.messagesEl.append(h('li', { class: 'muted center', text: 'No messages yet.' }));
    for (const p of shown) {
      const mine = p.from?.user === this.me.user;
      const text = typeof p.data?.text === 'string' ? p.data.text : JSON.stringify(p.data);
      this.messagesEl.append(h('li', { class: `msg${mine ? ' mine' : ''}`, dataset: { offset: String(p.offset) } },
        mine ? null : h('span', { class: 'sender', text: p.from?.name ?? p.from?.user ?? 'server' }),
        h('div', { class: 'bubble', text }),
        typeof p.data?.at === 'string' ? h('div', { class: 'meta' }, h('time', { datetime: p.data.at, text: clockTime(p.data.at) })) : null));
    }
    this.messagesEl.scrollTop = this.messagesEl.scrollHeight;
  }

  renderTyping() {
    if (!this.typingEl) return;
    this.typingEl.show(this.typing.names());
  }
}
