// The message composer: an input and a Send button; Enter sends. Typing is reported while the user types.
import { h } from '../dom.js';

/**
 * @param {{onSend: (text: string) => void, onType?: (text: string) => void, placeholder?: string, label?: string,
 *   id?: string, name?: string, maxlength?: number}} options
 * @returns {{form: HTMLFormElement, input: HTMLInputElement}}
 */
export function composer({ onSend, onType, placeholder = 'Write a message…', label, id, name = 'text', maxlength = 4000 }) {
  const input = /** @type {HTMLInputElement} */ (h('input', {
    name, placeholder, 'aria-label': label, autocomplete: 'off', maxlength, oninput: () => onType?.(input.value),
  }));
  const form = /** @type {HTMLFormElement} */ (h('form', {
    id, class: 'composer',
    onsubmit: (e) => {
      e.preventDefault();
      const text = input.value;
      input.value = '';
      if (text.trim()) onSend(text);
    },
  }, input, h('button', { type: 'submit', text: 'Send' })));
  return { form, input };
}
