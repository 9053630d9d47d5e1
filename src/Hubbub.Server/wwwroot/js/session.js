// The signed-in user: a JWT kept in sessionStorage (per tab, gone when the tab closes), and the two ways
// to get one: the Development user picker (POST /api/dev/token) or pasting a token minted elsewhere.

/** The path of the WebSocket endpoint on the server that served this page. */
export const wsPath = '/ws';

/** The WebSocket endpoint of the server that served this page. */
export const wsUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${wsPath}`;

const KEY = 'hubbub.console.token';

/** @typedef {{token: string, user: string, name: string, exp: number|null, admin: boolean}} Session */

/**
 * Reads the claims of a JWT without verifying it (the server verifies; this only labels the UI).
 * @param {string} token
 * @returns {Session|null} null when it is not a readable JWT or it has expired.
 */
export function parseToken(token) {
  const parts = String(token ?? '').trim().split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    if (typeof claims?.sub !== 'string' || claims.sub === '') return null;
    const exp = typeof claims.exp === 'number' ? claims.exp : null;
    if (exp !== null && exp * 1000 <= Date.now()) return null;
    const roles = [claims.roles, claims.role].flat().filter((r) => typeof r === 'string');
    return {
      token: parts.join('.'), user: claims.sub, name: typeof claims.name === 'string' && claims.name ? claims.name : claims.sub, exp,
      admin: roles.includes('admin'),
    };
  } catch {
    return null;
  }
}

/** @returns {Session|null} the stored session, if any and still valid. */
export function load() {
  const token = sessionStorage.getItem(KEY);
  const session = token ? parseToken(token) : null;
  if (token && !session) sessionStorage.removeItem(KEY);
  return session;
}

/** @param {Session} session */
export function save(session) {
  sessionStorage.setItem(KEY, session.token);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

/** @returns {Promise<boolean>} whether the server runs in Development (the user picker is available). */
export async function isDevelopment() {
  try {
    const response = await fetch('/api/dev', { headers: { Accept: 'application/json' } });
    return response.ok && (await response.json())?.development === true;
  } catch {
    return false;
  }
}

/**
 * Asks a Development server to store its demo data (friends, posts, a challenge among the picker's users) when its
 * database is fresh; a server that has it already, or has it turned off, changes nothing. Never fails the sign-in.
 */
export async function devSeed() {
  try {
    await fetch('/api/dev/seed', { method: 'POST' });
  } catch {
    // the picker still signs in: the page is only emptier
  }
}

/**
 * Mints a token through the Development-only endpoint.
 * @param {string} user
 * @param {string} name
 * @param {boolean} [admin] with role `admin` (staff pages, admin actions).
 * @returns {Promise<Session>}
 */
export async function devSignIn(user, name, admin = false) {
  const response = await fetch('/api/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(admin ? { user, name, admin: true } : { user, name }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body?.message ?? `sign-in failed (${response.status})`);
  const session = parseToken(body.token);
  if (!session) throw new Error('the server returned an unreadable token');
  return session;
}
