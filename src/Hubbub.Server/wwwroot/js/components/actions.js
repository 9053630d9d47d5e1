// Running what a button asks for: the button is disabled while the call runs, a refusal becomes an error toast
// with the server's message, and the caller gets the answer (or undefined after a refusal).

/**
 * @template T
 * @param {import('../shell/context.js').ConsoleContext} ctx
 * @param {HTMLButtonElement|null} button disabled during the call
 * @param {() => Promise<T>} call
 * @returns {Promise<T|undefined>}
 */
export async function runAction(ctx, button, call) {
  if (button) button.disabled = true;
  try {
    return await call();
  } catch (err) {
    ctx.toast(err?.message ?? String(err), 'error');
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}
