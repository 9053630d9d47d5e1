// The sign-in page: the Development user picker (when the server offers it) and "paste a token".
import { h, clear } from './dom.js';
import { toast } from './components/toasts.js';
import { devSeed, devSignIn, isDevelopment, parseToken } from './session.js';

/** Users offered by the picker; any other id can be typed in. */
const DEMO_USERS = [
  { user: 'alice', name: 'Alice' },
  { user: 'bob', name: 'Bob' },
  { user: 'carol', name: 'Carol' },
  { user: 'dave', name: 'Dave' },
];

/**
 * Renders the sign-in page into `root` and calls `onSignedIn(session)` once a token is in hand.
 * @param {HTMLElement} root
 * @param {(session: import('./session.js').Session) => void} onSignedIn
 */
export async function renderSignIn(root, onSignedIn) {
  clear(root);
  const card = h('div', { class: 'card signin' }, h('h1', { text: 'Sign in to Hubbub' }));
  root.append(card);

  const staff = h('input', { type: 'checkbox', id: 'dev-admin', name: 'admin' });
  const pick = async (user, name) => {
    try {
      await devSeed(); // the demo users' friends and posts, stored on a fresh database only
      onSignedIn(await devSignIn(user, name, staff.checked));
    } catch (err) {
      toast(err.message, 'error');
    }
  };

  if (await isDevelopment()) {
    card.append(
      h('p', { class: 'muted', text: 'Development server: pick a user (the server mints a token for them).' }),
      h('div', { class: 'user-picker' },
        DEMO_USERS.map((u) => h('button', { type: 'button', class: 'user-choice', dataset: { user: u.user }, onclick: () => pick(u.user, u.name) },
          h('span', { class: 'avatar', text: u.name[0] }), u.name))),
    );
    const userInput = h('input', { name: 'user', placeholder: 'user id', required: true, maxlength: 64, pattern: '[A-Za-z0-9._\\-]+', autocomplete: 'off' });
    const nameInput = h('input', { name: 'name', placeholder: 'display name', maxlength: 64, autocomplete: 'off' });
    card.append(h('label', { class: 'row small muted' }, staff, 'as staff (role admin: kiosks, test events)'));
    card.append(h('form', {
      class: 'row', id: 'dev-custom',
      onsubmit: (e) => { e.preventDefault(); pick(userInput.value.trim(), nameInput.value.trim()); },
    }, userInput, nameInput, h('button', { type: 'submit', text: 'Sign in' })));
    card.append(h('p', { class: 'muted or', text: 'or paste a token' }));
  } else {
    card.append(h('p', { class: 'muted', text: 'Paste a token (a JWT signed with the server\'s key, e.g. from `Hubbub.Server token --user 42`).' }));
  }

  const tokenInput = h('textarea', { name: 'token', rows: 3, placeholder: 'eyJhbGciOi…', spellcheck: 'false', autocomplete: 'off' });
  card.append(h('form', {
    id: 'token-form', class: 'stack',
    onsubmit: (e) => {
      e.preventDefault();
      const session = parseToken(tokenInput.value);
      if (!session) {
        toast('That is not a valid, unexpired token (a JWT with a "sub" claim).', 'error');
        return;
      }
      onSignedIn(session);
    },
  }, tokenInput, h('button', { type: 'submit', text: 'Use token' })));
}
