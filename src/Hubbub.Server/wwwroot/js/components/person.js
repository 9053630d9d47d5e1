// One person in a list (friends, requests, a study group's members): avatar, name, an optional online dot, and
// whatever the page puts beside them (buttons, a progress bar). Names are text, never markup.
import { h } from '../dom.js';
import { avatar } from './avatar.js';

/**
 * @param {{user: string, name?: string|null, online?: boolean, note?: string}} person `online` shows a dot (green
 *   when true); `note` a small line under the name.
 * @param {...(Node|string|null|undefined|false)} extras put on the right (buttons) or under the name (`.person-extra`).
 * @returns {HTMLElement} an `li.person` with `data-user`.
 */
export function personRow({ user, name, online, note }, ...extras) {
  const dot = online === undefined ? null : h('span', { class: `dot${online ? ' online' : ''}`, title: online ? 'online' : 'offline' });
  return h('li', { class: 'person', dataset: { user } },
    avatar(name ?? user, user),
    h('div', { class: 'person-body' },
      h('div', { class: 'row person-name' }, dot, h('span', { class: 'ellipsis', text: name ?? user })),
      note ? h('div', { class: 'muted small', text: note }) : null),
    ...extras);
}
