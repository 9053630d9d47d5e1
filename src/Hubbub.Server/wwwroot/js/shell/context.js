// The context every page is mounted with: the signed-in session, the shared SDK client, its REST helper
// (same token), the shared `user:{me}` hub, toasts, and the one way to say "the server refused the token".
import { HubbubClient } from '/sdk/hubbub.js';
import { toast } from '../components/toasts.js';
import { UserHub } from './user-hub.js';
import * as session from '../session.js';

/**
 * @typedef {object} ConsoleContext
 * @property {import('../session.js').Session} session the signed-in user (`user`, `name`, `token`).
 * @property {HubbubClient} client the console's one connection; pages subscribe and call through it.
 * @property {import('/sdk/hubbub.js').RestClient} rest the REST API with the same token: `ctx.rest.get('/api/rooms')`;
 *   a 401 signs the user out by itself.
 * @property {UserHub} user the shared `user:{me}` subscription: `ctx.user.on('room_added', …)`.
 * @property {(text: string, kind?: 'error'|'warn'|'info'|'success') => void} toast
 * @property {() => void} unauthorized tells the shell the server refused the token (one toast, back to sign-in).
 * @property {(root: HTMLElement) => boolean} isVisible whether a page's root is on screen and the tab is visible.
 */

/**
 * @param {import('../session.js').Session} signedIn
 * @param {() => void} onUnauthorized called once when the server refuses the token.
 * @returns {ConsoleContext & {dispose: () => void}}
 */
export function createContext(signedIn, onUnauthorized) {
  // getToken re-reads storage on every attempt, so a token pasted again after expiry is picked up.
  const getToken = () => session.load()?.token ?? signedIn.token;
  const client = new HubbubClient(session.wsUrl(), { getToken });
  let refused = false;
  const unauthorized = () => {
    if (refused) return;
    refused = true;
    onUnauthorized();
  };
  // A REST 401 from any page means the token is refused: one place handles it.
  const rest = Object.create(client.rest);
  rest.request = async (...args) => {
    try {
      return await client.rest.request(...args);
    } catch (err) {
      if (err?.status === 401) unauthorized();
      throw err;
    }
  };
  const user = new UserHub(client, signedIn.user);
  return {
    session: signedIn,
    client,
    rest,
    user,
    toast,
    unauthorized,
    isVisible: (root) => !root.hidden && document.visibilityState === 'visible',
    dispose() {
      refused = true;
      user.dispose();
      client.close('signed out');
    },
  };
}

/**
 * Asks the server whether it accepts the token, without opening a socket: the WebSocket door answers a plain GET
 * with 401 for a refused token and 400 ("upgrades only") for a good one. Browsers hide a refused handshake's
 * status from the WebSocket API, so this is how the console tells "refused" from "unreachable".
 * @param {string} token
 * @returns {Promise<boolean|null>} false when refused, true when accepted, null when the server was not reached.
 */
export async function tokenAccepted(token) {
  try {
    const response = await fetch(session.wsPath, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
    return response.status !== 401;
  } catch {
    return null;
  }
}
