// Asking the server again on a timer, but only while the page is on screen: a hidden page or a background tab
// costs the server nothing. The operator and webhooks pages poll the admin REST API this way.

/**
 * Calls `refresh` every `everyMs` while `root` is visible.
 * @param {import('../shell/context.js').ConsoleContext} ctx
 * @param {HTMLElement} root the page's root (hidden when another page is shown)
 * @param {() => void} refresh
 * @param {number} everyMs
 * @returns {() => void} stops the polling (call on unmount).
 */
export function pollWhileVisible(ctx, root, refresh, everyMs) {
  const timer = setInterval(() => { if (ctx.isVisible(root)) refresh(); }, everyMs);
  return () => clearInterval(timer);
}

/**
 * Mounts a page that polls: `new Page(root, ctx)` renders it; its `refresh()` runs when the page is shown and every
 * `everyMs` while it is visible. Unmounting stops the timer and sets the page's `disposed`, which its late answers
 * check before they touch the page.
 * @param {HTMLElement} root
 * @param {import('../shell/context.js').ConsoleContext} ctx
 * @param {new (root: HTMLElement, ctx: import('../shell/context.js').ConsoleContext) => { refresh(): void, disposed?: boolean }} Page
 * @param {number} everyMs
 */
export function mountPolled(root, ctx, Page, everyMs) {
  const page = new Page(root, ctx);
  const stop = pollWhileVisible(ctx, root, () => page.refresh(), everyMs);
  return { shown: () => page.refresh(), unmount: () => { stop(); page.disposed = true; } };
}
