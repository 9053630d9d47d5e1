// Live numbers: a counter card with a LIVE badge whose value pulses when it changes (dashboards, wallets).
import { h } from '../dom.js';

/** Restarts a one-shot CSS animation class on `el` (e.g. `bump`, `flash`). */
export function pulse(el, cls = 'bump') {
  el.classList.remove(cls);
  void el.offsetWidth; // restart the animation even when the class was just there
  el.classList.add(cls);
}

/** The small "LIVE" badge. */
export const liveBadge = () => h('span', { class: 'live-badge', title: 'Updates without a refresh', text: 'LIVE' });

/**
 * A counter card: label, LIVE badge, value and an optional line under it.
 * @param {string} label
 * @param {{key?: string, format?: (v: any) => string}} [options] `key` becomes `data-counter` (tests, styling).
 * @returns {{el: HTMLElement, set: (value: any, note?: string) => void}}
 */
export function liveCounter(label, { key, format = (v) => (v === null || v === undefined ? '—' : String(v)) } = {}) {
  const value = h('div', { class: 'counter-value', text: '—' });
  const note = h('div', { class: 'counter-note muted small' });
  const el = h('div', { class: 'card counter', dataset: key ? { counter: key } : {} },
    h('div', { class: 'row between' }, h('span', { class: 'counter-label', text: label }), liveBadge()), value, note);
  let last;
  return {
    el,
    set(v, text = '') {
      const shown = format(v);
      note.textContent = text;
      if (shown === last) return;
      const first = last === undefined;
      last = shown;
      value.textContent = shown;
      if (!first) pulse(el);
    },
  };
}
