// The page registry: what the menu lists and the shell mounts. Registration order is menu order.

/**
 * @typedef {object} PageModule
 * @property {(root: HTMLElement, ctx: import('./context.js').ConsoleContext) => (PageHandle | void | Promise<PageHandle | void>)} mount
 *   builds the page into `root`, once per sign-in; may return a handle.
 * @property {(root: HTMLElement) => void} [unmount] called at sign-out when `mount` returned no handle with its own.
 *
 * @typedef {object} PageHandle
 * @property {() => void} [shown] the page became the visible one (also right after the first mount).
 * @property {() => void} [unmount] stops timers and listeners; the shell empties `root` afterwards.
 *
 * @typedef {{id: string, title: string, load: () => Promise<PageModule>, adminOnly?: boolean}} PageEntry
 *   `adminOnly`: listed (and mounted) only for a token with role admin; the server checks the role on every call anyway.
 */

/** @type {PageEntry[]} */
const pages = [];

/**
 * Adds a page to the menu. `id` becomes the route (`#/id`), the menu link's `data-page` and the section's id
 * (`page-{id}`); `load` imports the page's module (called the first time the page is shown).
 * @param {PageEntry} page
 */
export function registerPage(page) {
  if (!/^[a-z][a-z0-9-]*$/.test(page?.id ?? '')) throw new TypeError(`a page id is lowercase letters, digits and '-' (got ${page?.id})`);
  if (typeof page.title !== 'string' || !page.title) throw new TypeError(`page ${page.id} needs a title`);
  if (typeof page.load !== 'function') throw new TypeError(`page ${page.id} needs load: () => import('./pages/…')`);
  if (pages.some((p) => p.id === page.id)) throw new TypeError(`page ${page.id} is registered twice`);
  pages.push(Object.freeze({ ...page }));
}

/** @returns {readonly PageEntry[]} the registered pages, in menu order. */
export const registeredPages = () => pages.slice();

/**
 * Registers the pages the server's features declare (`FeatureBuilder.ConsolePage` in C#), as listed by
 * `/console/pages.json`: each module is served by the host at `/console/pages/{file}`. A feature adds its page
 * without editing any shell file. A manifest that cannot be read leaves the built-in pages only (and says why).
 */
export async function registerFeaturePages() {
  try {
    const response = await fetch('/console/pages.json', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { pages: declared } = await response.json();
    for (const { id, title, script } of declared ?? []) {
      if (pages.some((p) => p.id === id)) continue; // a built-in page of the same id wins
      registerPage({ id, title, load: () => import(script) });
    }
  } catch (err) {
    console.warn(`feature pages not loaded: ${err?.message ?? err}`);
  }
}
