// A short live feed (venue activity, bids): newest on top, at most `max` items, each with an avatar, a line of
// text and a line of details; new items slide in.
import { h, clear } from '../dom.js';
import { avatar } from './avatar.js';

/**
 * @typedef {{key: string, user?: string, name?: string, text: string, meta?: string, kind?: string}} FeedItem
 * @param {{max?: number, empty?: string, label?: string}} [options]
 * @returns {{el: HTMLElement, replace: (items: FeedItem[]) => void, add: (item: FeedItem) => void}}
 */
export function liveFeed({ max = 10, empty = 'Nothing yet.', label } = {}) {
  const el = h('ul', { class: 'feed', 'aria-label': label, 'aria-live': 'polite' });
  const keys = new Set();
  const row = (item, fresh) => h('li', { class: `feed-item${fresh ? ' enter' : ''}`, dataset: { key: item.key, kind: item.kind ?? '', user: item.user ?? '' } },
    avatar(item.name ?? item.user ?? '?', item.user),
    h('div', { class: 'feed-body' }, h('div', { class: 'feed-text', text: item.text }), item.meta ? h('div', { class: 'feed-meta muted small', text: item.meta }) : null));
  const showEmpty = () => { if (keys.size === 0) clear(el).append(h('li', { class: 'muted empty', text: empty })); };
  const trim = () => {
    while (el.children.length > max) {
      keys.delete(el.lastElementChild?.dataset.key);
      el.lastElementChild?.remove();
    }
  };
  showEmpty();
  return {
    el,
    replace(items) {
      keys.clear();
      clear(el);
      for (const item of items.slice(0, max)) {
        keys.add(item.key);
        el.append(row(item, false));
      }
      showEmpty();
    },
    add(item) {
      if (keys.has(item.key)) return;
      if (keys.size === 0) clear(el);
      keys.add(item.key);
      el.prepend(row(item, true));
      trim();
    },
  };
}
