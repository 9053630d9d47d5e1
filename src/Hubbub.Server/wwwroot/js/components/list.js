// The selectable side list (conversations, rooms): rows that open on click or Enter, the active one marked,
// and a line of its own when there is nothing to list.
import { h, clear } from '../dom.js';

/**
 * Renders `items` into `ul`.
 * @template T
 * @param {HTMLElement} ul
 * @param {T[]} items
 * @param {{key: (item: T) => string, dataset: (item: T) => Record<string, string>, active: string|null,
 *   onOpen: (key: string) => void, render: (item: T) => Array<Node|string|null>, empty: string}} options
 */
export function renderList(ul, items, { key, dataset, active, onOpen, render, empty }) {
  if (items.length === 0) {
    clear(ul).append(h('li', { class: 'muted empty', text: empty }));
    return;
  }
  clear(ul).append(...items.map((item) => {
    const k = key(item);
    return h('li', {
      class: `conv${k === active ? ' active' : ''}`, dataset: dataset(item), tabindex: 0,
      onclick: () => onOpen(k), onkeydown: (e) => { if (e.key === 'Enter') onOpen(k); },
    }, ...render(item));
  }));
}

/** Splits "bob, carol dave" into distinct user ids, without `me`. */
export function userIds(text, me) {
  return [...new Set(String(text).split(/[\s,]+/).map((s) => s.trim()).filter((s) => s && s !== me))];
}
