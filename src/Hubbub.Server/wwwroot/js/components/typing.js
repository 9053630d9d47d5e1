// Typing indicators as every page sends and shows them.
import { h } from '../dom.js';

/** A page re-sends `typing: true` at most this often while the user keeps typing. */
export const TYPING_RESEND_MS = 2000;

/** The server clears typing 3 s after the last "true"; this is only a fallback if that event is lost. */
export const TYPING_FALLBACK_MS = 6000;

/** "Alice is typing…", "Alice, Bob are typing…" or "". */
export function typingText(names) {
  if (names.length === 0) return '';
  return names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}

/**
 * Who is typing in one place (a channel), from `typing` events: each entry clears on `is_typing:false`, when their
 * message arrives (`clear(user)`) or after the fallback. `onChange` runs after every change.
 */
export class TypingTracker {
  /** @param {string} me my user id (my own typing is never shown) @param {() => void} onChange */
  constructor(me, onChange) {
    this.me = me;
    this.onChange = onChange;
    /** @type {Map<string, {name: string, timer: any}>} */ this.users = new Map();
  }

  /** @param {{user?: string, name?: string, is_typing?: boolean}} t the event's data */
  onTyping(t) {
    if (!t?.user || t.user === this.me) return;
    clearTimeout(this.users.get(t.user)?.timer);
    if (t.is_typing) this.users.set(t.user, { name: t.name ?? t.user, timer: setTimeout(() => this.clear(t.user), TYPING_FALLBACK_MS) });
    else this.users.delete(t.user);
    this.onChange();
  }

  clear(user) {
    if (!this.users.has(user)) return;
    clearTimeout(this.users.get(user).timer);
    this.users.delete(user);
    this.onChange();
  }

  /** @returns {string[]} the names of those typing now */
  names() {
    return [...this.users.values()].map((t) => t.name);
  }

  dispose() {
    for (const t of this.users.values()) clearTimeout(t.timer);
    this.users.clear();
  }
}

/** The line under a thread that says who is typing. */
export function typingLine(props = {}) {
  const el = h('div', { class: 'typing', 'aria-live': 'polite', ...props });
  return { el, show: (names) => { el.textContent = typingText(names); } };
}

/**
 * Sends `typing: true` while the user types, at most every TYPING_RESEND_MS; `stop()` when the message is sent.
 * @param {() => ({typing: (isTyping: boolean) => boolean} | null | undefined)} target the subscription to send on
 */
export function typingSender(target) {
  let last = 0;
  return {
    typed(text) {
      const sub = target();
      const now = Date.now();
      if (sub && text.trim() && now - last > TYPING_RESEND_MS && sub.typing(true)) last = now;
    },
    stop() {
      target()?.typing(false);
      last = 0;
    },
  };
}
