// A progress bar (XP to the next level, a quest, a course) whose fill glides to its new value.
import { h } from '../dom.js';

/**
 * @param {{label?: string, key?: string}} [options] `label` names it for screen readers; `key` becomes `data-progress`.
 * @returns {{el: HTMLElement, set: (fraction: number, text?: string) => void}}
 */
export function progressBar({ label, key } = {}) {
  const fill = h('div', { class: 'progress-fill' });
  const text = h('span', { class: 'progress-text' });
  const el = h('div', { class: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100,
    dataset: key ? { progress: key } : {} }, fill, text);
  return {
    el,
    set(fraction, caption = '') {
      const percent = Math.round(Math.max(0, Math.min(1, Number(fraction) || 0)) * 1000) / 10;
      fill.style.width = `${percent}%`;
      el.setAttribute('aria-valuenow', String(percent));
      el.dataset.value = String(percent);
      text.textContent = caption;
    },
  };
}
