// Toasts: short notices in the corner that go away after a while or when clicked. The same text shown again
// while it is still up is not repeated (one refused token is one toast, not one per part that noticed).
import { h, byId } from '../dom.js';

const MAX_TOASTS = 5;

/**
 * @param {string} text
 * @param {'error'|'warn'|'info'|'success'} [kind]
 */
export function toast(text, kind = 'info') {
  const box = byId('toasts');
  for (const existing of box.children) {
    if (existing.textContent === text && existing.classList.contains(kind)) return;
  }
  const item = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status', text });
  item.addEventListener('click', () => item.remove());
  box.append(item);
  while (box.children.length > MAX_TOASTS) box.firstElementChild?.remove();
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 5000);
}

/** Removes every toast (at sign-out: what was said about the old session is moot). */
export function clearToasts() {
  byId('toasts').replaceChildren();
}
