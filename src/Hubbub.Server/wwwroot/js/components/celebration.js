// The full-screen celebration (a level-up, an epic unlock, a finished module): one at a time, gone on click or
// after a few seconds.
import { h } from '../dom.js';

let current = null;

/**
 * @param {string} title e.g. "Level 5!"
 * @param {string} [subtitle]
 * @param {{kind?: string, ms?: number}} [options] `kind` (`epic`, `legendary`, `level`…) styles it.
 */
export function celebrate(title, subtitle = '', { kind = 'level', ms = 4000 } = {}) {
  current?.remove();
  const close = () => { el.remove(); if (current === el) current = null; };
  const el = h('div', { class: `celebration ${kind}`, role: 'alert', onclick: close },
    h('div', { class: 'celebration-card' },
      h('div', { class: 'celebration-burst', 'aria-hidden': 'true', text: '✦ ✦ ✦' }),
      h('div', { class: 'celebration-title', text: title }),
      subtitle ? h('div', { class: 'celebration-subtitle', text: subtitle }) : null,
      h('div', { class: 'muted small', text: 'click to close' })));
  document.body.append(el);
  current = el;
  setTimeout(close, ms);
}
