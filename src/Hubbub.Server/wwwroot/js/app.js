// The console shell: sign-in, the shared context (one SDK client from '/sdk/hubbub.js', its REST helper, the
// user hub), the top bar, and the pages of the registry (js/pages.js), each mounted the first time it is shown.
import { byId, h, clear } from './dom.js';
import * as session from './session.js';
import { renderSignIn } from './signin.js';
import { registeredPages } from './shell/registry.js';
import { createContext, tokenAccepted } from './shell/context.js';
import { bindConnectionBadge } from './components/connection-badge.js';
import { toast, clearToasts } from './components/toasts.js';
import './pages.js';

/**
 * The signed-in state: the context and every page mounted so far.
 * @type {{ctx: ReturnType<typeof createContext>, unbind: () => void, mounted: Map<string, {root: HTMLElement, module: any, handle: any}>, loading: Map<string, Promise<void>>} | null}
 */
let current = null;

const sectionOf = (id) => byId(`page-${id}`);

/** The pages this user may open: staff-only ones (`adminOnly`) need a token with role admin. */
const availablePages = () => registeredPages().filter((p) => !p.adminOnly || current?.ctx.session.admin === true);

function wantedPage() {
  const pages = availablePages();
  const wanted = location.hash.replace(/^#\//, '');
  return pages.find((p) => p.id === wanted) ?? pages[0];
}

/** Loads and mounts a page once per sign-in. */
function ensureMounted(page) {
  const state = current;
  if (!state) return Promise.resolve();
  if (state.mounted.has(page.id)) return Promise.resolve();
  let loading = state.loading.get(page.id);
  if (!loading) {
    loading = (async () => {
      const module = await page.load();
      if (current !== state) return; // signed out while loading
      const root = sectionOf(page.id);
      const handle = (await module.mount(root, state.ctx)) ?? null;
      state.mounted.set(page.id, { root, module, handle });
    })().catch((err) => {
      state.loading.delete(page.id);
      toast(`The ${page.title} page failed to load: ${err?.message ?? err}`, 'error');
    });
    state.loading.set(page.id, loading);
  }
  return loading;
}

async function showPage() {
  if (!current) return;
  const page = wantedPage();
  for (const p of registeredPages()) {
    const section = sectionOf(p.id);
    if (section) section.hidden = p.id !== page.id;
  }
  for (const a of byId('nav').querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === page.id);
  await ensureMounted(page);
  if (wantedPage() === page) current?.mounted.get(page.id)?.handle?.shown?.();
}

function signOut() {
  session.forget();
  const state = current;
  current = null;
  if (state) {
    for (const { root, module, handle } of state.mounted.values()) {
      try {
        if (handle?.unmount) handle.unmount();
        else module.unmount?.(root);
      } finally {
        clear(root);
      }
    }
    state.unbind();
    state.ctx.dispose();
  }
  start();
}

/** The server refused the token: say so once, and back to sign-in. */
function refused() {
  clearToasts();
  toast('The server refused this token (wrong key, expired or revoked). Sign in again.', 'error');
  signOut();
}

/** @param {import('./session.js').Session} s */
function enter(s) {
  session.save(s);
  byId('signin').hidden = true;
  byId('nav').hidden = false;
  byId('signout').hidden = false;
  byId('conn').hidden = false;
  byId('me').textContent = `${s.name} (${s.user})`;

  const ctx = createContext(s, refused);
  const unbind = bindConnectionBadge(ctx.client);
  current = { ctx, unbind, mounted: new Map(), loading: new Map() };

  const nav = clear(byId('nav'));
  const main = byId('main');
  for (const page of availablePages()) {
    nav.append(h('a', { href: `#/${page.id}`, dataset: { page: page.id }, text: page.title }));
    if (!sectionOf(page.id)) main.append(h('section', { id: `page-${page.id}`, class: 'page', hidden: true }));
  }

  // Browsers hide why a WebSocket handshake failed: when attempts fail before this session ever connected, ask
  // the server about the token, so a refused one signs out (with one toast) instead of retrying forever. Later
  // refusals (an expired token) show up as a 401 on the pages' REST calls, which ctx.rest reports.
  const offCheck = ctx.client.on('reconnecting', async () => {
    if (ctx.client.welcome) {
      offCheck();
      return;
    }
    if ((await tokenAccepted(ctx.session.token)) === false && current?.ctx === ctx) ctx.unauthorized();
  });
  ctx.client.connect().catch((err) => { if (current?.ctx === ctx) toast(`Cannot connect: ${err.message}`, 'error'); });
  showPage();
}

function start() {
  byId('nav').hidden = true;
  byId('signout').hidden = true;
  byId('conn').hidden = true;
  byId('retry-now').hidden = true;
  byId('me').textContent = '';
  for (const p of registeredPages()) {
    const section = sectionOf(p.id);
    if (section) section.hidden = true;
  }
  const stored = session.load();
  if (stored) {
    enter(stored);
    return;
  }
  const root = byId('signin');
  root.hidden = false;
  renderSignIn(root, enter);
}

byId('signout').addEventListener('click', () => { clearToasts(); signOut(); });
window.addEventListener('hashchange', showPage);
start();
