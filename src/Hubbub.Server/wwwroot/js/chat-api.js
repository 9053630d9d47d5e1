// The messaging REST API (docs/features/messaging.md), called with the session's bearer token.

export class ApiError extends Error {
  /** @param {string} code @param {string} message @param {number} status */
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * @param {import('./session.js').Session} session
 * @param {string} path
 * @param {{method?: string, body?: any}} [options]
 */
export async function api(session, path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) throw new ApiError(json?.code ?? 'internal', json?.message ?? `HTTP ${response.status}`, response.status);
  return json;
}

/** A random id for idempotent sends (crypto.randomUUID needs a secure context; this does not). */
export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Orders messages oldest first (time, then id) for display. */
export function byTime(a, b) {
  const d = new Date(a.created_at).getTime() - new Date(b.created_at).getTime();
  if (d !== 0) return d;
  return String(a.id ?? '').localeCompare(String(b.id ?? ''));
}
