// Countdowns that follow their deadline: every element under `root` with `data-ends-at` (ISO time) shows the time
// left, refreshed each second; changing the attribute (an auction extended) is all a page does.
import { timeLeft } from './duration.js';

/** @param {HTMLElement} root @returns {() => void} stops the clock */
export function startCountdowns(root) {
  const tick = () => {
    for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-ends-at]'))) {
      const text = timeLeft(el.dataset.endsAt ?? '');
      if (el.textContent !== text) el.textContent = text;
    }
  };
  tick();
  const timer = setInterval(tick, 1000);
  return () => clearInterval(timer);
}

/** A countdown element for `endsAt` (kept current by startCountdowns). @param {string} endsAt */
export function countdownText(endsAt, props = {}) {
  const el = document.createElement('span');
  el.className = 'countdown';
  Object.assign(el.dataset, props, { endsAt });
  el.textContent = timeLeft(endsAt);
  return el;
}
