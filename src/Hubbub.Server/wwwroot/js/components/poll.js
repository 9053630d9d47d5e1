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
