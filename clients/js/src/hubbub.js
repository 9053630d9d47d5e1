// Hubbub JavaScript SDK: one resilient WebSocket to a Hubbub server, shared by every channel subscription.
// A plain ES module with no dependencies and no build step; runs in browsers and in Node (inject a WebSocket
// implementation such as the `ws` package where there is no global one). Types: hubbub.d.ts beside this file.
//
// What it does for the app: reconnects with exponential backoff and full jitter, opens a circuit breaker after
// repeated failures, detects dead connections from the server's heartbeat, queues publishes and calls while
// offline, and restores every subscription with `since` so missed publications arrive in order, once each.
// Where a network refuses WebSockets it falls back on its own to the same frames over HTTP (SseSocket: Server-Sent
// Events down, POSTs up), remembers that for the page, and the app's code stays the same.

/** Close codes after which the client does not reconnect: 1000 and 4400–4499 ("do not retry"). */
const NORMAL_CLOSURE = 1000;

/** Client-side error codes, beside the server's (`bad_request`, `forbidden`, …). */
export const ClientErrorCodes = Object.freeze({
  /** No reply arrived within the call timeout. */
  timeout: 'timeout',
  /** The connection dropped after the request was sent; it may or may not have been applied. */
  disconnected: 'disconnected',
  /** The client was closed (by `close()` or because the server refused it for good). */
  closed: 'closed',
  /** The offline queue was full and this, its oldest request, was dropped. */
  queueOverflow: 'queue_overflow',
  /** The token could not be obtained or was refused. */
  unauthorized: 'unauthorized',
  /** A `{queue: false}` request while not connected: it was not sent and never will be. */
  notConnected: 'not_connected',
  /** A REST call could not reach the server (refused, reset, DNS): no answer came. */
  network: 'network_error',
});

/**
 * An error from the server (`{"type":"error","data":{"code","message"}}`) or from the client itself
 * (see {@link ClientErrorCodes}). Check `code`, never the message.
 */
export class HubbubError extends Error {
  /**
   * @param {string} code snake_case error code, e.g. `forbidden` or `timeout`.
   * @param {string} message human-readable explanation.
   * @param {{type?: string, channel?: string, reason?: string}} [details] the request that failed, when known, and the
   *   feature's machine-readable reason, when the server sent one.
   */
  constructor(code, message, details = {}) {
    super(message);
    /** @type {string} */
    this.name = 'HubbubError';
    /** The error code: a server code (`bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `rate_limited`, `too_large`, `internal`) or a client one. */
    this.code = code;
    /** The request type that failed, when known. */
    this.type = details.type;
    /** The channel concerned, when known. */
    this.channel = details.channel;
    /**
     * The feature's machine-readable refinement of `code` (`bid_too_low`, `insufficient_funds`), when the server sent
     * one: over the WebSocket as over REST, so an app tells a low bid from an empty wallet without parsing `message`.
     */
    this.reason = details.reason;
  }
}

/**
 * A REST call the server answered with an error status. `code` is the server's (`bad_request`, `forbidden`,
 * `conflict`, …, or one derived from the status when the body was not JSON), `reason` the feature's
 * machine-readable refinement when it sent one (`bid_too_low`), `status` the HTTP status.
 */
export class HubbubRestError extends HubbubError {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{status: number, reason?: string, method: string, path: string, body?: unknown}} details
   */
  constructor(code, message, details) {
    super(code, message, { type: `${details.method} ${details.path}`, reason: details.reason });
    /** @type {string} */
    this.name = 'HubbubRestError';
    /** The HTTP status, e.g. 409. */
    this.status = details.status;
    /** The HTTP method. */
    this.method = details.method;
    /** The path called. */
    this.path = details.path;
    /** The parsed error body (null when it was empty or not JSON). */
    this.body = details.body ?? null;
  }
}

/** The protocol's error code for an HTTP status, used when an error response carries no JSON `code`. */
function codeForStatus(status) {
  switch (status) {
    case 400: case 415: case 422: return 'bad_request';
    case 401: return 'unauthorized';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 413: return 'too_large';
    case 429: return 'rate_limited';
    default: return 'internal';
  }
}

/**
 * The server's REST API with the same token as the WebSocket: every call sends `Authorization: Bearer <token>`
 * (the client's `token`, or a fresh `getToken()` per call, so a refreshed token is used). JSON in, JSON out;
 * an error status rejects with a {@link HubbubRestError} carrying `code`, `reason`, `status` and the server's
 * message. Reach it as `client.rest`.
 */
export class RestClient {
  /**
   * @param {string} baseUrl e.g. `https://chat.example.com` (paths are appended to it).
   * @param {{token?: string, getToken?: () => (string | Promise<string>), fetch?: typeof fetch, timeoutMs?: number}} options
   */
  constructor(baseUrl, options) {
    /** The base URL every path is appended to, without a trailing slash. */
    this.baseUrl = String(baseUrl).replace(/\/+$/, '');
    /** @private */ this._options = options;
  }

  /** GET `path` (with `options.query` as the query string). @param {string} path @param {RestOptions} [options] */
  get(path, options) { return this.request('GET', path, options); }

  /** POST `body` as JSON. @param {string} path @param {unknown} [body] @param {RestOptions} [options] */
  post(path, body, options) { return this.request('POST', path, { ...options, body }); }

  /** PUT `body` as JSON. @param {string} path @param {unknown} [body] @param {RestOptions} [options] */
  put(path, body, options) { return this.request('PUT', path, { ...options, body }); }

  /** PATCH `body` as JSON. @param {string} path @param {unknown} [body] @param {RestOptions} [options] */
  patch(path, body, options) { return this.request('PATCH', path, { ...options, body }); }

  /** DELETE `path`. @param {string} path @param {RestOptions} [options] */
  delete(path, options) { return this.request('DELETE', path, options); }

  /**
   * Any call. Resolves with the parsed JSON answer (null for an empty one, e.g. 204).
   * @typedef {{body?: unknown, query?: Record<string, string|number|boolean|undefined|null>, headers?: Record<string, string>, signal?: AbortSignal, timeoutMs?: number}} RestOptions
   * @param {string} method
   * @param {string} path e.g. `/api/conversations` (must start with `/`).
   * @param {RestOptions} [options]
   * @returns {Promise<any>}
   */
  async request(method, path, options = {}) {
    if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('path must start with "/"');
    const fetchImpl = this._options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('no fetch implementation: pass options.fetch');
    let url = this.baseUrl + path;
    const query = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined && v !== null);
    if (query.length > 0) url += (url.includes('?') ? '&' : '?') + new URLSearchParams(query.map(([k, v]) => [k, String(v)]));
    let token;
    try {
      token = typeof this._options.getToken === 'function' ? await this._options.getToken() : this._options.token;
    } catch (err) {
      throw new HubbubError(ClientErrorCodes.unauthorized, `getToken failed: ${err?.message ?? err}`, { type: `${method} ${path}` });
    }
    const headers = { Accept: 'application/json', ...options.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    const hasBody = options.body !== undefined;
    if (hasBody) headers['Content-Type'] = 'application/json';
    const timeoutMs = options.timeoutMs ?? this._options.timeoutMs ?? 15_000;
    const signals = [AbortSignal.timeout(timeoutMs), options.signal].filter(Boolean);
    let response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        body: hasBody ? JSON.stringify(options.body) : undefined,
        signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals),
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const timedOut = err?.name === 'TimeoutError';
      throw new HubbubError(timedOut ? ClientErrorCodes.timeout : ClientErrorCodes.network,
        timedOut ? `no answer to ${method} ${path} within ${timeoutMs} ms` : `${method} ${path} failed: ${err?.cause?.message ?? err?.message ?? err}`,
        { type: `${method} ${path}` });
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const code = typeof json?.code === 'string' ? json.code : codeForStatus(response.status);
      const message = typeof json?.message === 'string' ? json.message : `${method} ${path} answered ${response.status}`;
      throw new HubbubRestError(code, message, {
        status: response.status, reason: typeof json?.reason === 'string' ? json.reason : undefined, method, path, body: json,
      });
    }
    return json;
  }
}

/**
 * The REST base URL for a WebSocket endpoint: `wss://host/prefix/ws` → `https://host/prefix`.
 * @param {string} wsUrl a normalized ws:/wss: URL.
 */
export function restUrlFor(wsUrl) {
  const parsed = new URL(wsUrl);
  parsed.protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';
  parsed.pathname = parsed.pathname.replace(/\/ws\/?$/, '') || '/';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString().replace(/\/+$/, '');
}

/**
 * The reconnect delay before attempt `attempt` (0-based): a uniformly random value in
 * [0, min(capMs, baseMs × 2^attempt)) — exponential backoff with full jitter, so a crowd of clients
 * that lost the same server does not come back in lockstep.
 * @param {number} attempt 0 for the first retry after a drop.
 * @param {number} baseMs
 * @param {number} capMs
 * @param {() => number} random a source of numbers in [0, 1).
 * @returns {number} milliseconds, rounded down.
 */
export function backoffDelay(attempt, baseMs, capMs, random) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * True when a close code means "reconnect": everything but 1000 and 4400–4499.
 * @param {number} code
 * @returns {boolean}
 */
export function shouldReconnect(code) {
  return !(code === NORMAL_CLOSURE || (code >= 4400 && code <= 4499));
}

/** The transports a client may use, in the default order: WebSocket, then the HTTP fallback. */
const TRANSPORTS = Object.freeze(['websocket', 'sse']);

/** Transports that reached `welcome`, per server URL, for this page (module state, mirrored in sessionStorage). */
const workingTransports = new Map();

/** @param {string} url @returns {string | null} the transport that last worked for `url` on this page. */
function rememberedTransport(url) {
  if (workingTransports.has(url)) return workingTransports.get(url);
  try {
    const stored = globalThis.sessionStorage?.getItem(`hubbub.transport ${url}`) ?? null;
    return TRANSPORTS.includes(stored) ? stored : null;
  } catch {
    return null; // storage blocked (privacy settings, sandboxed frame)
  }
}

/** @param {string} url @param {string} transport */
function rememberTransport(url, transport) {
  workingTransports.set(url, transport);
  try {
    globalThis.sessionStorage?.setItem(`hubbub.transport ${url}`, transport);
  } catch {
    // Module state still remembers it for this page.
  }
}

/**
 * The HTTP fallback transport behind the WebSocket interface the client uses (`readyState`, `send`, `close`,
 * `onopen`/`onmessage`/`onerror`/`onclose`), for networks that refuse WebSockets: server frames arrive on a
 * Server-Sent Events stream (`GET …/ws/sse`, read with fetch so the token travels as `Authorization: Bearer`),
 * client frames leave by `POST …/ws/sse/{session}`, batched and strictly in order (one POST in flight at a time,
 * so they reach the server in the order sent even when each POST lands on another node). Give it the same URL as
 * a WebSocket (`ws(s)://host/ws?access_token=…`).
 */
export class SseSocket {
  /**
   * @param {string} url the WebSocket URL, with the token as `access_token` in its query.
   * @param {{fetch?: typeof fetch, maxFramesPerPost?: number, maxPostBytes?: number}} [options]
   */
  constructor(url, options = {}) {
    const parsed = new URL(url);
    /** @private */ this._token = parsed.searchParams.get('access_token');
    parsed.searchParams.delete('access_token');
    parsed.protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';
    parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/sse`;
    /** The stream's URL (without the token). */
    this.url = parsed.toString();
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('the sse transport needs fetch: pass options.fetch');
    // Called unbound: a browser's fetch called as a method of another object throws "Illegal invocation".
    /** @private */ this._fetch = (input, init) => fetchImpl(input, init);
    /** @private */ this._maxFrames = options.maxFramesPerPost ?? 100;
    /** @private */ this._maxBytes = options.maxPostBytes ?? 512 * 1024;
    /** 0 connecting, 1 open, 2 closing, 3 closed: as a WebSocket's. */
    this.readyState = 0;
    /** The session id the server issued (null until open). */
    this.session = null;
    this.onopen = null;
    this.onmessage = null;
    this.onerror = null;
    this.onclose = null;
    /** @private */ this._abort = new AbortController();
    /** @private @type {string[]} */ this._outbox = [];
    /** @private */ this._posting = false;
    /** @private */ this._maxFrameBytes = 64 * 1024;
    this._run();
  }

  /** Queues a frame (JSON text); frames sent in one tick go out in one POST. */
  send(text) {
    if (this.readyState === 0) throw new Error('InvalidStateError: still connecting');
    if (this.readyState !== 1) return;
    this._outbox.push(String(text));
    if (!this._posting) {
      this._posting = true;
      queueMicrotask(() => this._postLoop());
    }
  }

  /** Ends the stream (and with it the session). */
  close(code = 1000, reason = '') {
    this._end(code, reason);
  }

  /** @private */
  _headers(extra) {
    const headers = { ...extra };
    if (this._token) headers.Authorization = `Bearer ${this._token}`;
    return headers;
  }

  /** @private Reads the stream until it ends. */
  async _run() {
    let response;
    try {
      response = await this._fetch(this.url, {
        headers: this._headers({ Accept: 'text/event-stream' }),
        cache: 'no-store',
        signal: this._abort.signal,
      });
    } catch (err) {
      this._fail(`the event stream could not be opened: ${err?.message ?? err}`);
      return;
    }
    if (!response.ok || !response.body) {
      this._fail(`Unexpected server response: ${response.status}`);
      return;
    }
    let closeEvent = null;
    try {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      let eventName = '';
      let data = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = buffered.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + (buffered.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (data.length > 0) {
              const payload = data.join('\n');
              if (eventName === 'session') this._onSession(payload);
              else if (eventName === 'close') closeEvent = safeParse(payload);
              else this._onFrame(payload);
            }
            eventName = '';
            data = [];
          } else if (line.startsWith('event:')) {
            eventName = line.slice(6).trim();
          } else if (line.startsWith('data:')) {
            data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
          }
          // Comment lines (`:`) keep proxies from cutting an idle stream; nothing to do.
          if (this.readyState === 3) return;
        }
      }
    } catch {
      // Cut, or aborted by close().
    }
    if (closeEvent && typeof closeEvent.code === 'number') this._end(closeEvent.code, String(closeEvent.reason ?? ''));
    else this._end(1006, 'the event stream ended');
  }

  /** @private */
  _onSession(payload) {
    const session = safeParse(payload)?.session;
    if (typeof session !== 'string' || this.readyState !== 0) return;
    this.session = session;
    this._postUrl = `${this.url.split('?')[0]}/${encodeURIComponent(session)}`;
    this.readyState = 1;
    this.onopen?.({ type: 'open' });
  }

  /** @private */
  _onFrame(payload) {
    if (this.readyState !== 1) return;
    // Learn the frame limit from welcome, to send a frame over it alone (its refusal then concerns it only).
    if (payload.startsWith('{"type":"welcome"')) {
      const limit = safeParse(payload)?.data?.limits?.max_frame_bytes;
      if (typeof limit === 'number' && limit > 0) this._maxFrameBytes = limit;
    }
    this.onmessage?.({ type: 'message', data: payload });
  }

  /** @private Takes the next batch: up to the frame and byte bounds, or one oversized frame alone. */
  _nextBatch() {
    const batch = [];
    let bytes = 2;
    while (this._outbox.length > 0 && batch.length < this._maxFrames) {
      const size = utf8Length(this._outbox[0]) + 1;
      if (batch.length > 0 && (bytes + size > this._maxBytes || size > this._maxFrameBytes)) break;
      batch.push(this._outbox.shift());
      bytes += size;
      if (size > this._maxFrameBytes) break;
    }
    return batch;
  }

  /** @private POSTs batches one after the other until the outbox is empty. */
  async _postLoop() {
    let retries = 0;
    while (this.readyState === 1 && this._outbox.length > 0) {
      const batch = this._nextBatch();
      let response;
      try {
        response = await this._fetch(this._postUrl, {
          method: 'POST',
          headers: this._headers({ 'Content-Type': 'application/json' }),
          body: `[${batch.join(',')}]`,
          signal: this._abort.signal,
        });
      } catch (err) {
        // No answer: the frames may or may not have arrived, as when a WebSocket drops; start over.
        this._fail(`a POST failed: ${err?.message ?? err}`);
        return;
      }
      if (response.status === 202) {
        retries = 0;
        continue;
      }
      const body = safeParse(await response.text().catch(() => '')) ?? {};
      if (response.status === 429 && this.readyState === 1) {
        // The session's queue is full: nothing was taken. Send the same batch again, first, after a pause.
        this._outbox.unshift(...batch);
        retries++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** Math.min(retries, 5))));
        continue;
      }
      if (response.status === 400 || response.status === 413) {
        // Refused whole and nothing taken: each request in it is answered with the refusal, as the server would.
        const code = typeof body.code === 'string' ? body.code : codeForStatus(response.status);
        const message = typeof body.message === 'string' ? body.message : `the server answered ${response.status}`;
        for (const text of batch) {
          const id = safeParse(text)?.id;
          const error = { type: 'error', data: { code, message } };
          if (id !== undefined && id !== null) error.id = id;
          this.onmessage?.({ type: 'message', data: JSON.stringify(error) });
        }
        continue;
      }
      // 404 (the session ended), 401 (the token expired), anything else: this session is done; reconnect.
      this._fail(`Unexpected server response: ${response.status} ${body.code ?? ''}`.trim());
      return;
    }
    this._posting = false;
  }

  /** @private */
  _fail(message) {
    if (this.readyState === 3) return;
    this.onerror?.({ type: 'error', message });
    this._end(1006, message);
  }

  /** @private */
  _end(code, reason) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this._outbox = [];
    this._abort.abort();
    this.onclose?.({ type: 'close', code, reason, wasClean: code !== 1006 });
  }
}

/** @param {string} text */
function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** @param {string} text @returns {number} its length in UTF-8 bytes. */
function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}

/** A minimal event emitter: `on` returns a function that removes the listener. */
class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
  }

  /**
   * Adds a listener.
   * @param {string} event
   * @param {Function} fn
   * @returns {() => void} call it to remove the listener.
   */
  on(event, fn) {
    if (typeof fn !== 'function') throw new TypeError(`listener for '${event}' must be a function`);
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  /**
   * Removes a listener added with `on`.
   * @param {string} event
   * @param {Function} fn
   */
  off(event, fn) {
    this._listeners.get(event)?.delete(fn);
  }

  /** @param {string} event @param {...unknown} args @returns {boolean} whether anyone listened. */
  _emit(event, ...args) {
    const set = this._listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        // A throwing app handler must not break the connection's bookkeeping; surface it loudly instead.
        if (typeof globalThis.reportError === 'function') globalThis.reportError(err);
        else console.error('hubbub: an event handler threw', err);
      }
    }
    return true;
  }
}

/**
 * Options of {@link HubbubClient}. Give `token` or `getToken`; everything else has a default.
 * @typedef {object} HubbubClientOptions
 * @property {string} [token] a JWT sent as `access_token` on every connection.
 * @property {() => (string | Promise<string>)} [getToken] called before every connection attempt (first and
 *   each reconnect), so a refreshed token is used; a throw counts as a failed attempt. Also called
 *   `refreshBeforeExpiryMs` before the connection's token expires (`welcome.expires_at`), and the fresh token sent
 *   with `refresh`, so the connection outlives its token without reconnecting.
 * @property {number} [refreshBeforeExpiryMs=30000] how long before the token's expiry the client refreshes it
 *   (with `getToken`); a token that lives less than twice this is refreshed halfway through its remaining life.
 * @property {Function} [WebSocket] the WebSocket constructor (default `globalThis.WebSocket`; in Node 20 pass `ws`).
 * @property {Array<'websocket' | 'sse'>} [transports=['websocket', 'sse']] the transports to try, in order: an attempt
 *   that fails before `welcome` moves on to the next one at once; the one that works is remembered for this page
 *   (and tried first on every reconnect). `sse` is the HTTP fallback (Server-Sent Events plus POSTs, see SseSocket).
 * @property {number} [backoffBaseMs=500] first reconnect delay ceiling; doubles per failed attempt.
 * @property {number} [backoffCapMs=30000] largest reconnect delay ceiling.
 * @property {number} [circuitBreakerThreshold=8] consecutive failed attempts that open the circuit breaker.
 * @property {number} [circuitBreakerCooldownMs=60000] wait while the breaker is open before trying again.
 * @property {number} [queueLimit=100] requests the offline queue holds; the oldest is dropped beyond it.
 * @property {number} [callTimeoutMs=15000] how long a sent request waits for its reply.
 * @property {number} [connectTimeoutMs=10000] how long an attempt may take from opening to `welcome`.
 * @property {number} [heartbeatTimeoutMs=0] silence after which the connection counts as dead; 0 means
 *   2 × the server's `heartbeat_ms` from `welcome`.
 * @property {{setTimeout: (fn: () => void, ms: number) => unknown, clearTimeout: (handle: unknown) => void, now: () => number}} [timers]
 *   the clock (inject a fake one in tests).
 * @property {() => number} [random=Math.random] the jitter source, in [0, 1).
 * @property {string} [restUrl] base URL of the REST API for `client.rest` (default: derived from `url`,
 *   `wss://host/ws` → `https://host`).
 * @property {typeof fetch} [fetch] the fetch used by `client.rest` (default `globalThis.fetch`).
 */

const DEFAULTS = Object.freeze({
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  circuitBreakerThreshold: 8,
  circuitBreakerCooldownMs: 60_000,
  queueLimit: 100,
  callTimeoutMs: 15_000,
  connectTimeoutMs: 10_000,
  heartbeatTimeoutMs: 0,
  refreshBeforeExpiryMs: 30_000,
});

/** Close code: the connection's token expired without a refresh. Reconnect only with a fresh token (`getToken`). */
export const TOKEN_EXPIRED = 4401;

/** A refresh that failed is tried again this much later (while the token has not expired yet). */
const REFRESH_RETRY_MS = 5_000;

/** Failed refreshes are at least this far apart; with less than twice this left, the expiry's reconnect gets the token. */
const REFRESH_RETRY_FLOOR_MS = 1_000;

/** How long after a handshake's error the client waits for its close before ending the attempt itself (Node 20). */
const ERROR_WITHOUT_CLOSE_GRACE_MS = 50;

/** setTimeout fires at once for delays past 2^31 − 1 ms (about 24.8 days): longer waits wake up and wait on. */
const LONGEST_TIMER_MS = 20 * 24 * 3600 * 1000;

const defaultTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle),
  now: () => Date.now(),
};

/** Lifecycle names a subscription emits itself; a publication of such a type reaches only `publication`. */
const SUBSCRIPTION_LIFECYCLE = new Set(['subscribed', 'reload', 'error', 'publication', 'unsubscribed']);

/**
 * A Hubbub connection. Create it, add listeners, `subscribe`, then `connect()`.
 *
 * Events (listen with `on`): `connecting` {attempt}, `connected` (welcome data), `disconnected`
 * {code, reason, willReconnect}, `reconnecting` {delay, attempt}, `circuit_open` {failures, cooldownMs},
 * `auth_failed` {status?, code?, reason, willRetry}, `closed` {code, reason}, `queue_dropped` {type, data},
 * `token_refreshed` {expires_at},
 * `transport_fallback` {from, to, code, reason} (an attempt failed before welcome; the next transport is tried now),
 * `error` (HubbubError without a request to reject), `state` (the new state name).
 */
export class HubbubClient extends Emitter {
  /**
   * @param {string} url the server's WebSocket endpoint, e.g. `wss://chat.example.com/ws`
   *   (`http(s)://` is turned into `ws(s)://`; a URL without a path gets `/ws`).
   * @param {HubbubClientOptions} [options] see hubbub.d.ts and docs/sdk-js.md for every option and its default.
   */
  constructor(url, options = {}) {
    super();
    if (typeof url !== 'string' || url.length === 0) throw new TypeError('url is required');
    if (options.token === undefined && typeof options.getToken !== 'function') {
      throw new TypeError('give either token or getToken');
    }
    const transports = options.transports ?? TRANSPORTS;
    if (!Array.isArray(transports) || transports.length === 0 || transports.some((t) => !TRANSPORTS.includes(t))) {
      throw new TypeError(`transports must be a non-empty array of ${TRANSPORTS.map((t) => `'${t}'`).join(', ')}`);
    }
    const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    if (transports.includes('websocket') && typeof WebSocketImpl !== 'function') {
      throw new TypeError('no WebSocket implementation: pass options.WebSocket (e.g. the ws package in Node), or transports: [\'sse\']');
    }
    /** @private */ this._url = normalizeUrl(url);
    /** @private */ this._WebSocket = WebSocketImpl;
    /** @private */ this._transports = [...new Set(transports)];
    /** @private The transport of the current (or last) attempt. */ this._transport = null;
    /** @private Which of this round's transports the next attempt uses (a round ends with welcome or a backoff). */
    this._transportIndex = 0;
    /** @private */ this._opts = { ...DEFAULTS, ...pickDefined(options) };
    /** @private */ this._timers = options.timers ?? defaultTimers;
    /** @private */ this._random = options.random ?? Math.random;
    /** @private */ this._state = 'idle';
    /** @private */ this._socket = null;
    /** @private */ this._generation = 0;
    /** @private */ this._nextId = 1;
    /** @private @type {Map<number, {resolve: Function, reject: Function, timer: unknown, type: string, channel?: string, quiet?: boolean}>} */
    this._pending = new Map();
    /** @private @type {Array<{type: string, data: unknown, resolve: Function, reject: Function, timeoutMs: number}>} */
    this._queue = [];
    /** @private @type {Map<string, Subscription>} */
    this._subscriptions = new Map();
    /** @private */ this._failures = 0;
    /** @private */ this._attempts = 0;
    /** @private */ this._reconnectTimer = null;
    /** @private */ this._connectTimer = null;
    /** @private */ this._heartbeatTimer = null;
    /** @private */ this._refreshTimer = null;
    /** @private */ this._lastFrameAt = 0;
    /** @private */ this._welcome = null;
    /** @private @type {Array<{resolve: Function, reject: Function}>} */
    this._connectWaiters = [];
    /**
     * The server's REST API with this client's token (`client.rest.get('/api/conversations')`).
     * @type {RestClient}
     */
    this.rest = new RestClient(options.restUrl ?? restUrlFor(this._url), {
      token: options.token,
      getToken: options.getToken,
      fetch: options.fetch,
      timeoutMs: this._opts.callTimeoutMs,
    });
  }

  /** The connection state: `idle`, `connecting`, `connected`, `reconnecting` or `closed`. */
  get state() {
    return this._state;
  }

  /**
   * The transport of the current connection, or of the attempt under way: `websocket` or `sse` (the HTTP fallback);
   * null before the first attempt.
   */
  get transport() {
    return this._transport;
  }

  /** The server's `welcome` data of the current connection (null before the first). */
  get welcome() {
    return this._welcome;
  }

  /** Consecutive failed connection attempts since the last successful one. */
  get failures() {
    return this._failures;
  }

  /** Requests waiting in the offline queue. */
  get queued() {
    return this._queue.length;
  }

  /**
   * Opens the connection (and keeps it open until `close()`). Resolves once the server's `welcome` arrived;
   * rejects with a HubbubError (`closed` or `unauthorized`) if the client stops for good before that.
   * Transient failures do not reject: the client keeps retrying with backoff.
   * @returns {Promise<void>}
   */
  connect() {
    if (this._state === 'connected') return Promise.resolve();
    const waiter = new Promise((resolve, reject) => this._connectWaiters.push({ resolve, reject }));
    // Fire-and-forget `connect()` followed by `close()` must not crash Node with an unhandled rejection;
    // a caller that awaits still sees the rejection.
    waiter.catch(() => {});
    if (this._state === 'idle' || this._state === 'closed') {
      this._failures = 0;
      this._attempts = 0;
      this._open();
    }
    return waiter;
  }

  /**
   * While waiting to reconnect (backoff or an open circuit breaker), tries again now instead of at the end of the
   * wait: for a "retry now" button after a long outage. Does nothing in any other state.
   * @returns {boolean} whether an attempt was started.
   */
  retryNow() {
    if (this._state !== 'reconnecting' || this._reconnectTimer === null) return false;
    this._timers.clearTimeout(this._reconnectTimer);
    this._reconnectTimer = null;
    this._open();
    return true;
  }

  /**
   * Closes the connection with 1000 and stops reconnecting. Queued and unanswered requests are rejected
   * with `closed`. Subscriptions are kept: a later `connect()` restores them with recovery.
   * @param {string} [reason]
   */
  close(reason = 'client closed') {
    this._stop(NORMAL_CLOSURE, reason, ClientErrorCodes.closed);
  }

  /**
   * Subscribes to a channel (now, or as soon as connected) and keeps the subscription across reconnects.
   * Subscribing twice to one channel returns the same subscription with the new handlers added.
   * @param {string} channel e.g. `public:lobby`, `room:42`.
   * @param {Record<string, Function>} [handlers] event name → listener, the same as calling `on` for each.
   * @returns {Subscription}
   */
  subscribe(channel, handlers = {}) {
    if (typeof channel !== 'string' || channel.length === 0) throw new TypeError('channel is required');
    let sub = this._subscriptions.get(channel);
    if (!sub) {
      sub = new Subscription(this, channel);
      this._subscriptions.set(channel, sub);
      if (this._state === 'connected') this._sendSubscribe(sub);
    }
    for (const [event, fn] of Object.entries(handlers)) sub.on(event, fn);
    return sub;
  }

  /**
   * The subscription to `channel`, if any.
   * @param {string} channel
   * @returns {Subscription | undefined}
   */
  getSubscription(channel) {
    return this._subscriptions.get(channel);
  }

  /**
   * Sends any request that carries an id and resolves with the reply's `data`; rejects with a HubbubError
   * carrying the server's `code`. While offline the request waits in the bounded offline queue and is sent
   * in order after reconnecting; a request already sent when the connection drops rejects with `disconnected`.
   * With `queue: false` (for what must never arrive late, e.g. a bid) a request made while not connected
   * rejects at once with `not_connected` instead: it was not sent, and will not be.
   * @param {string} type the message type, e.g. `publish` or a feature command.
   * @param {unknown} [data] the request's `data`.
   * @param {{timeoutMs?: number, queue?: boolean}} [options] `timeoutMs` counts from sending (default
   *   `callTimeoutMs`); `queue` (default true) whether to wait in the offline queue while not connected.
   * @returns {Promise<any>}
   */
  call(type, data, options = {}) {
    if (typeof type !== 'string' || type.length === 0) return Promise.reject(new TypeError('type is required'));
    if (this._state === 'closed') {
      return Promise.reject(new HubbubError(ClientErrorCodes.closed, 'the client is closed', { type }));
    }
    const timeoutMs = options.timeoutMs ?? this._opts.callTimeoutMs;
    // A socket that is already closing cannot take it: queue it for the next connection instead.
    const online = this._state === 'connected' && this._socket?.readyState === 1;
    if (!online && options.queue === false) {
      return Promise.reject(new HubbubError(ClientErrorCodes.notConnected,
        `not connected (${this._state}): '${type}' was not sent, and queue:false keeps it from being sent later`, { type, channel: data?.channel }));
    }
    return new Promise((resolve, reject) => {
      const request = { type, data, resolve, reject, timeoutMs };
      if (online) this._sendRequest(request);
      else this._enqueue(request);
    });
  }

  /**
   * Publishes on a channel (queued while offline). Resolves with `{offset}`.
   * @param {string} channel
   * @param {unknown} data any JSON value.
   * @param {{event?: string, queue?: boolean}} [options] `event` names the publication type (default `message`);
   *   `queue: false` rejects at once with `not_connected` while offline instead of queueing.
   * @returns {Promise<{offset: number}>}
   */
  publish(channel, data, options = {}) {
    const request = { channel, data };
    if (options.event !== undefined) request.event = options.event;
    return this.call('publish', request, options.queue === undefined ? {} : { queue: options.queue });
  }

  /**
   * Reads a channel's history: the latest `limit` publications, or those after `since`.
   * @param {string} channel
   * @param {{since?: {offset: number, epoch: string}, limit?: number}} [options]
   * @returns {Promise<{publications: Array<object>, offset: number, epoch: string}>}
   */
  history(channel, options = {}) {
    return this.call('history', { channel, ...options });
  }

  /**
   * Who is in a channel now.
   * @param {string} channel
   * @returns {Promise<{members: Array<{user: string, name: string, since: string}>}>}
   */
  presence(channel) {
    return this.call('presence', { channel });
  }

  /**
   * Tells the channel this user is (or stopped) typing. Ephemeral: sent only while connected, never queued.
   * @param {string} channel
   * @param {boolean} isTyping
   * @returns {boolean} whether it was sent.
   */
  typing(channel, isTyping) {
    return this._sendEphemeral({ type: 'typing', data: { channel, is_typing: Boolean(isTyping) } });
  }

  /**
   * Shares this user's cursor position in a channel. Ephemeral: sent only while connected, never queued;
   * the server forwards at most one per user per 100 ms, the latest kept.
   * @param {string} channel
   * @param {Record<string, unknown>} position any JSON object, e.g. `{x: 10, y: 20}`.
   * @returns {boolean} whether it was sent.
   */
  cursor(channel, position) {
    return this._sendEphemeral({ type: 'cursor', data: { ...position, channel } });
  }

  // ---- connection lifecycle -------------------------------------------------------------------------

  /** @private */
  _setState(state) {
    if (this._state === state) return;
    this._state = state;
    this._emit('state', state);
  }

  /**
   * @private Starts one connection attempt.
   * @param {string} [fallbackToken] the token of the attempt this one falls back from: the same attempt on the next
   *   transport, so the token is not asked for again (a refused token then shows as a 401 the fallback can see,
   *   instead of passing as a blocked WebSocket).
   */
  async _open(fallbackToken) {
    const generation = ++this._generation;
    // A fallback to the next transport is the same attempt on another transport: attempts count rounds, as the
    // circuit breaker's failures do (1, 2, 3, … in `connecting` and `reconnecting`, not 1, 3, 5).
    if (fallbackToken === undefined) this._attempts++;
    this._setState('connecting');
    this._emit('connecting', { attempt: this._attempts });
    const attempt = { socket: null, welcomed: false, errorText: '' };
    // One deadline for the whole attempt, getToken included: a token service that hangs is a failure too.
    this._connectTimer = this._timers.setTimeout(() => {
      this._connectTimer = null;
      if (generation !== this._generation || attempt.welcomed) return;
      if (attempt.socket) {
        this._abandon(attempt.socket, 4008, 'no welcome within connectTimeoutMs', attempt);
      } else {
        this._generation++;
        this._emit('error', new HubbubError(ClientErrorCodes.timeout, 'getToken did not finish within connectTimeoutMs'));
        this._afterFailure(null);
      }
    }, this._opts.connectTimeoutMs);

    let token = fallbackToken ?? this._opts.token;
    if (fallbackToken === undefined && typeof this._opts.getToken === 'function') {
      try {
        token = await this._opts.getToken();
      } catch (err) {
        if (generation !== this._generation) return;
        this._clearConnectionTimers();
        this._emit('error', new HubbubError(ClientErrorCodes.unauthorized, `getToken failed: ${err?.message ?? err}`));
        this._afterFailure(null);
        return;
      }
      if (generation !== this._generation) return;
    }

    let socket;
    const transport = this._transportOrder()[this._transportIndex] ?? this._transports[0];
    this._transport = transport;
    attempt.transport = transport;
    attempt.token = token;
    try {
      const url = new URL(this._url);
      if (token) url.searchParams.set('access_token', String(token));
      socket = transport === 'sse'
        ? new SseSocket(url.toString(), { fetch: this._opts.fetch })
        : new this._WebSocket(url.toString());
    } catch (err) {
      this._clearConnectionTimers();
      this._emit('error', new HubbubError('bad_request', `cannot open the WebSocket: ${err?.message ?? err}`));
      this._afterFailure(null);
      return;
    }
    this._socket = socket;
    attempt.socket = socket;

    socket.onmessage = (event) => {
      if (this._socket === socket) this._onMessage(event.data, attempt);
    };
    socket.onerror = (event) => {
      // Browsers hide the handshake status; Node's ws says "Unexpected server response: 401".
      attempt.errorText = String(event?.message ?? event?.error?.message ?? '');
      // Node 20's built-in WebSocket reports a failed handshake (server down, refused) with an error and never a
      // close, so the attempt would wait out connectTimeoutMs (10 s) instead of backing off. Browsers and ws fire the
      // close right after the error; whatever is still open to this socket shortly after is ended here.
      if (transport === 'websocket' && socket.readyState !== 1) {
        this._timers.setTimeout(() => {
          if (this._socket === socket && !attempt.welcomed) this._abandon(socket, 1006, attempt.errorText, attempt);
        }, ERROR_WITHOUT_CLOSE_GRACE_MS);
      }
    };
    socket.onclose = (event) => {
      if (this._socket !== socket) return;
      this._onSocketClosed(attempt, event?.code ?? 1006, event?.reason ?? '');
    };
  }

  /** @private This client's transports in the order a round tries them: the one that worked on this page first. */
  _transportOrder() {
    const remembered = rememberedTransport(this._url);
    if (!remembered || !this._transports.includes(remembered)) return this._transports;
    return [remembered, ...this._transports.filter((t) => t !== remembered)];
  }

  /** @private Drops a socket we gave up on (dead or stuck) without waiting for its close handshake. */
  _abandon(socket, code, reason, attempt) {
    detach(socket);
    try {
      if (typeof socket.terminate === 'function') socket.terminate();
      else socket.close(code, reason);
    } catch {
      // The socket may already be closing; we no longer listen to it either way.
    }
    this._onSocketClosed(attempt, code, reason);
  }

  /** @private */
  _onSocketClosed(attempt, code, reason) {
    const socket = attempt.socket;
    detach(socket);
    if (this._socket === socket) this._socket = null;
    this._clearConnectionTimers();
    this._failInFlight();
    for (const sub of this._subscriptions.values()) sub._onDisconnected();

    // Never reached welcome, and not because of the token: the network may refuse this transport (a proxy that
    // blocks WebSockets); try the next one now, before any backoff. A 401 would be the same on every transport.
    const order = this._transportOrder();
    if (!attempt.welcomed && this._state !== 'closed' && this._transportIndex + 1 < order.length
      && !/\b401\b/.test(attempt.errorText)) {
      this._transportIndex++;
      this._emit('transport_fallback', { from: attempt.transport, to: order[this._transportIndex], code, reason: attempt.errorText || reason });
      this._open(attempt.token ?? undefined);
      return;
    }
    this._transportIndex = 0;

    const status = /\b(401|403)\b/.exec(attempt.errorText)?.[1];
    if (!attempt.welcomed && status) {
      // The handshake was refused (seen where the WebSocket exposes the HTTP status, e.g. Node's ws).
      const willRetry = typeof this._opts.getToken === 'function';
      this._emit('auth_failed', { status: Number(status), reason: attempt.errorText, willRetry });
      this._emit('disconnected', { code, reason: attempt.errorText, willReconnect: willRetry });
      if (!willRetry) {
        this._stop(code, attempt.errorText, ClientErrorCodes.unauthorized);
        return;
      }
      this._afterFailure(attempt);
      return;
    }
    if (code === TOKEN_EXPIRED && typeof this._opts.getToken === 'function') {
      // The token ran out before a refresh got through: a fresh one from getToken opens the next connection.
      this._emit('disconnected', { code, reason, willReconnect: true });
      this._afterFailure(attempt);
      return;
    }
    if (!shouldReconnect(code)) {
      if (code !== NORMAL_CLOSURE) this._emit('auth_failed', { code, reason, willRetry: false });
      this._emit('disconnected', { code, reason, willReconnect: false });
      this._stop(code, reason, code === NORMAL_CLOSURE ? ClientErrorCodes.closed : ClientErrorCodes.unauthorized);
      return;
    }
    this._emit('disconnected', { code, reason, willReconnect: true });
    this._afterFailure(attempt);
  }

  /** @private Decides the next attempt: backoff, or the circuit breaker's cool-down. */
  _afterFailure(attempt) {
    if (this._state === 'closed') return;
    this._socket = null;
    // A connection that reached welcome was a success: its drop starts a fresh backoff sequence.
    if (!attempt?.welcomed) this._failures++;
    let delay;
    if (this._failures >= this._opts.circuitBreakerThreshold) {
      delay = this._opts.circuitBreakerCooldownMs;
      this._emit('circuit_open', { failures: this._failures, cooldownMs: delay });
    } else {
      // The first retry (after a drop or a first failure) uses the base; each further failure doubles it.
      delay = backoffDelay(Math.max(0, this._failures - 1), this._opts.backoffBaseMs, this._opts.backoffCapMs, this._random);
    }
    this._setState('reconnecting');
    this._emit('reconnecting', { delay, attempt: this._attempts + 1 });
    this._reconnectTimer = this._timers.setTimeout(() => {
      this._reconnectTimer = null;
      if (this._state === 'reconnecting') this._open();
    }, delay);
  }

  /** @private Stops for good: no reconnect, every waiting request rejected. */
  _stop(code, reason, errorCode) {
    if (this._state === 'closed' || this._state === 'idle') {
      this._setState('closed');
      this._rejectConnectWaiters(errorCode, reason);
      this._rejectQueue(errorCode, reason);
      return;
    }
    this._generation++;
    const socket = this._socket;
    this._socket = null;
    if (socket) {
      detach(socket);
      try {
        socket.close(NORMAL_CLOSURE, reason.slice(0, 60));
      } catch {
        // A reason the socket rejects (too long in UTF-8) must not keep it open; a closing socket throws too.
        try { socket.close(NORMAL_CLOSURE); } catch { /* already closing */ }
      }
      this._emit('disconnected', { code, reason, willReconnect: false });
    }
    if (this._reconnectTimer !== null) this._timers.clearTimeout(this._reconnectTimer);
    this._reconnectTimer = null;
    this._clearConnectionTimers();
    this._failInFlight(ClientErrorCodes.closed);
    for (const sub of this._subscriptions.values()) sub._onDisconnected();
    this._setState('closed');
    this._rejectConnectWaiters(errorCode, reason);
    this._rejectQueue(errorCode, reason);
    this._emit('closed', { code, reason });
  }

  /** @private */
  _clearConnectionTimers() {
    if (this._connectTimer !== null) this._timers.clearTimeout(this._connectTimer);
    if (this._heartbeatTimer !== null) this._timers.clearTimeout(this._heartbeatTimer);
    if (this._refreshTimer !== null) this._timers.clearTimeout(this._refreshTimer);
    this._connectTimer = null;
    this._heartbeatTimer = null;
    this._refreshTimer = null;
  }

  /** @private */
  _rejectConnectWaiters(code, reason) {
    const waiters = this._connectWaiters.splice(0);
    for (const w of waiters) w.reject(new HubbubError(code, `the client stopped: ${reason}`));
  }

  /** @private */
  _rejectQueue(code, reason) {
    const queued = this._queue.splice(0);
    for (const r of queued) r.reject(new HubbubError(code, `the client stopped: ${reason}`, { type: r.type }));
  }

  /** @private Requests sent but unanswered when the connection dropped may or may not have been applied. */
  _failInFlight(code = ClientErrorCodes.disconnected) {
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const p of pending) {
      this._timers.clearTimeout(p.timer);
      if (!p.quiet) p.reject(new HubbubError(code, `the connection dropped before '${p.type}' was answered`, p));
    }
  }

  // ---- heartbeat ------------------------------------------------------------------------------------

  /** @private How long without any frame means the connection is dead. */
  _deadAfterMs() {
    if (this._opts.heartbeatTimeoutMs > 0) return this._opts.heartbeatTimeoutMs;
    return 2 * (this._welcome?.heartbeat_ms ?? 25_000);
  }

  /** @private Checks once per window instead of re-arming a timer on every frame. */
  _armHeartbeat(attempt) {
    const check = () => {
      this._heartbeatTimer = null;
      if (this._socket !== attempt.socket) return;
      const quietFor = this._timers.now() - this._lastFrameAt;
      const deadAfter = this._deadAfterMs();
      if (quietFor >= deadAfter) {
        this._abandon(attempt.socket, 4001, `no frame from the server for ${quietFor} ms`, attempt);
        return;
      }
      this._heartbeatTimer = this._timers.setTimeout(check, deadAfter - quietFor);
    };
    this._heartbeatTimer = this._timers.setTimeout(check, this._deadAfterMs());
  }

  // ---- token refresh --------------------------------------------------------------------------------

  /**
   * @private Schedules the next `refresh` ahead of `expiresAt` (Unix seconds), when the client can get tokens. The
   * connection, its subscriptions and offsets are untouched by a refresh: nothing to resubscribe, nothing lost.
   */
  _armRefresh(attempt, expiresAt, retry = false) {
    if (this._refreshTimer !== null) this._timers.clearTimeout(this._refreshTimer);
    this._refreshTimer = null;
    if (typeof this._opts.getToken !== 'function' || typeof expiresAt !== 'number') return;
    const remaining = expiresAt * 1000 - this._timers.now();
    if (remaining <= 0) return; // too late: the server closes with 4401 and the reconnect gets a fresh token
    const ahead = this._opts.refreshBeforeExpiryMs;
    let delay = remaining > 2 * ahead ? remaining - ahead : remaining / 2;
    if (retry) {
      // Halving towards the expiry bunched the retries into its last milliseconds (eight in 130 ms), hammering a token
      // service that is already failing; the reconnect after the expiry asks getToken again anyway.
      if (remaining < 2 * REFRESH_RETRY_FLOOR_MS) return;
      delay = Math.max(REFRESH_RETRY_FLOOR_MS, Math.min(REFRESH_RETRY_MS, remaining / 2));
    }
    if (delay > LONGEST_TIMER_MS) {
      this._refreshTimer = this._timers.setTimeout(() => {
        this._refreshTimer = null;
        if (this._socket === attempt.socket) this._armRefresh(attempt, expiresAt);
      }, LONGEST_TIMER_MS);
      return;
    }
    this._refreshTimer = this._timers.setTimeout(() => {
      this._refreshTimer = null;
      this._refresh(attempt, expiresAt);
    }, Math.max(0, Math.floor(delay)));
  }

  /** @private Gets a fresh token and sends it with `refresh` on the current connection. */
  async _refresh(attempt, expiresAt) {
    if (this._socket !== attempt.socket || this._state !== 'connected') return;
    let data;
    try {
      const token = await this._opts.getToken();
      if (this._socket !== attempt.socket || this._state !== 'connected') return;
      data = await new Promise((resolve, reject) => {
        this._sendRequest({ type: 'refresh', data: { token: String(token) }, resolve, reject, timeoutMs: this._opts.callTimeoutMs });
      });
    } catch (err) {
      if (this._socket !== attempt.socket) return;
      this._emit('error', err instanceof HubbubError ? err : new HubbubError(ClientErrorCodes.unauthorized, `getToken failed: ${err?.message ?? err}`));
      this._armRefresh(attempt, expiresAt, true);
      return;
    }
    if (this._socket !== attempt.socket) return;
    if (this._welcome) this._welcome = { ...this._welcome, expires_at: data.expires_at };
    this._emit('token_refreshed', { expires_at: data.expires_at });
    this._armRefresh(attempt, data.expires_at);
  }

  // ---- frames ---------------------------------------------------------------------------------------

  /** @private */
  _onMessage(raw, attempt) {
    this._lastFrameAt = this._timers.now();
    let frame;
    try {
      frame = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
    } catch {
      this._emit('error', new HubbubError('bad_request', 'the server sent a frame that is not JSON'));
      return;
    }
    if (frame === null || typeof frame !== 'object') return;
    switch (frame.type) {
      case 'welcome':
        this._onWelcome(frame.data ?? {}, attempt);
        return;
      case 'ping':
        if (frame.id === undefined) this._sendRaw({ type: 'pong' });
        return;
      default:
        // Any frame carrying the id of a request answers it (`reply`, `error`, or `pong` for a `ping`).
        if (frame.id !== undefined && frame.id !== null) {
          if (this._pending.has(frame.id)) this._settle(frame);
          return;
        }
        if (frame.type === 'error') {
          const d = frame.data ?? {};
          this._emit('error', new HubbubError(d.code ?? 'internal', d.message ?? 'error from the server',
            { reason: typeof d.reason === 'string' ? d.reason : undefined }));
          return;
        }
        if (typeof frame.channel === 'string') this._subscriptions.get(frame.channel)?._onFrame(frame);
    }
  }

  /** @private */
  _onWelcome(data, attempt) {
    if (attempt.welcomed) return;
    attempt.welcomed = true;
    this._timers.clearTimeout(this._connectTimer);
    this._connectTimer = null;
    this._failures = 0;
    this._attempts = 0;
    this._welcome = data;
    this._transportIndex = 0;
    if (attempt.transport) rememberTransport(this._url, attempt.transport);
    this._armHeartbeat(attempt);
    this._armRefresh(attempt, data.expires_at);
    this._setState('connected');
    this._emit('connected', data);
    // Subscriptions first, then the queue, so queued publishes reach channels this client listens to.
    for (const sub of this._subscriptions.values()) this._sendSubscribe(sub);
    const queued = this._queue.splice(0);
    for (const request of queued) this._sendRequest(request);
    const waiters = this._connectWaiters.splice(0);
    for (const w of waiters) w.resolve();
  }

  /** @private */
  _settle(frame) {
    const p = this._pending.get(frame.id);
    this._pending.delete(frame.id);
    this._timers.clearTimeout(p.timer);
    if (frame.type === 'error') {
      const d = frame.data ?? {};
      p.reject(new HubbubError(d.code ?? 'internal', d.message ?? 'request failed',
        { type: p.type, channel: p.channel, reason: typeof d.reason === 'string' ? d.reason : undefined }));
    } else {
      p.resolve(frame.data ?? {});
    }
  }

  /** @private */
  _enqueue(request) {
    this._queue.push(request);
    while (this._queue.length > this._opts.queueLimit) {
      const dropped = this._queue.shift();
      this._emit('queue_dropped', { type: dropped.type, data: dropped.data });
      dropped.reject(new HubbubError(ClientErrorCodes.queueOverflow,
        `the offline queue holds at most ${this._opts.queueLimit} requests; this oldest one was dropped`, dropped));
    }
  }

  /** @private Sends a request with a fresh id and waits for its reply. */
  _sendRequest(request, quiet = false) {
    const id = this._nextId++;
    const frame = { type: request.type, id };
    if (request.data !== undefined) frame.data = request.data;
    const json = JSON.stringify(frame);
    // A frame over the server's limit would close the whole WebSocket (1009), failing every request in flight with
    // `disconnected` although this one was certainly refused: it is refused here alone, as the fallback's server does.
    const limit = this._welcome?.limits?.max_frame_bytes;
    const bytes = typeof limit === 'number' && json.length > limit / 3 ? utf8Length(json) : 0;
    if (bytes > limit) {
      request.reject(new HubbubError('too_large',
        `the '${request.type}' frame is ${bytes} bytes; this server takes frames of at most ${limit} bytes`,
        { type: request.type, channel: request.data?.channel }));
      return;
    }
    const entry = {
      resolve: request.resolve,
      reject: request.reject,
      type: request.type,
      channel: request.data?.channel,
      quiet,
      timer: null,
    };
    entry.timer = this._timers.setTimeout(() => {
      if (!this._pending.has(id)) return;
      this._pending.delete(id);
      entry.reject(new HubbubError(ClientErrorCodes.timeout,
        `no reply to '${request.type}' within ${request.timeoutMs} ms`, entry));
    }, request.timeoutMs);
    this._pending.set(id, entry);
    // If the socket refuses the frame (it is closing), the close handler rejects the request with `disconnected`.
    this._sendText(json);
  }

  /** @private */
  _sendEphemeral(frame) {
    if (this._state !== 'connected') return false;
    return this._sendRaw(frame);
  }

  /** @private */
  _sendRaw(frame) {
    return this._sendText(JSON.stringify(frame));
  }

  /** @private */
  _sendText(json) {
    const socket = this._socket;
    if (!socket || socket.readyState !== 1) return false;
    try {
      socket.send(json);
      return true;
    } catch {
      return false;
    }
  }

  /** @private Sends `subscribe` for a subscription, with `since` when it has a position to recover from. */
  _sendSubscribe(sub) {
    const data = { channel: sub.channel };
    if (sub.position) data.since = { offset: sub.position.offset, epoch: sub.position.epoch };
    const request = {
      type: 'subscribe',
      data,
      timeoutMs: this._opts.callTimeoutMs,
      resolve: (reply) => sub._onSubscribed(reply, data.since !== undefined),
      reject: (err) => {
        if (err.code === ClientErrorCodes.timeout) {
          // A subscribe the server never answered leaves the channel in doubt: start a clean connection.
          if (this._socket) this._abandon(this._socket, 4008, 'subscribe timed out', { socket: this._socket, welcomed: true, errorText: '' });
          return;
        }
        this._forget(sub);
        sub._onRefused(err);
      },
    };
    // quiet: a subscribe cut off by a disconnect is simply sent again after reconnecting.
    this._sendRequest(request, true);
  }

  /** @private The server ended `sub` (`unsubscribed`): forget it, so no reconnect restores it. */
  _forget(sub) {
    if (this._subscriptions.get(sub.channel) === sub) this._subscriptions.delete(sub.channel);
  }

  /** @private */
  _unsubscribe(sub) {
    if (this._subscriptions.get(sub.channel) !== sub) return Promise.resolve();
    this._subscriptions.delete(sub.channel);
    if (this._state !== 'connected') return Promise.resolve();
    return new Promise((resolve) => {
      this._sendRequest({
        type: 'unsubscribe',
        data: { channel: sub.channel },
        timeoutMs: this._opts.callTimeoutMs,
        resolve: () => resolve(),
        // Gone either way: the server drops subscriptions with the connection.
        reject: () => resolve(),
      }, true);
    });
  }
}

/**
 * One channel subscription. Kept across reconnects and restored with `since`, so its publications arrive in
 * offset order with no gap and no duplicate.
 *
 * Events: every publication type (`message` or the publication's `event`) and `publication` (all of them)
 * with `{type, channel, offset, data, from?}`; `typing`, `cursor`, `presence_join`, `presence_leave` with the
 * event's data (`{user, name, …}`); `subscribed` {offset, epoch, recovered, resubscribed, state} (state: the join state, or null); `reload`
 * {reason: 'not_recovered' | 'stream_reset', epoch} when missed publications cannot be replayed and the app
 * should reload its state; `error` (HubbubError) when the server refused the subscription; `unsubscribed`
 * {reason?} when it ended: after `unsubscribe()` (no reason), or when the server ended it because the user lost
 * access, e.g. left the conversation (`reason` from the server). A subscription the server ended is `ended`:
 * it is not restored after a reconnect, and its `ready`, `publish`, `history` and `presence` reject with a
 * HubbubError of code `forbidden`; `typing` and `cursor` send nothing and return false.
 */
export class Subscription extends Emitter {
  /** @param {HubbubClient} client @param {string} channel */
  constructor(client, channel) {
    super();
    /** @private */ this._client = client;
    /** The channel name. */
    this.channel = channel;
    /** @private @type {{offset: number, epoch: string} | null} */
    this._position = null;
    /** @private */ this._state = 'pending';
    /** @private */ this._readyWaiters = [];
    /** @private */ this._endReason = null;
    /** @private */ this._joinState = null;
  }

  /** `pending` (waiting for the server), `subscribed`, `refused`, `unsubscribed` (by the app) or `ended` (by the server). */
  get state() {
    return this._state;
  }

  /** Why the server ended this subscription (its `unsubscribed` reason); null unless `state` is `ended`. */
  get endReason() {
    return this._state === 'ended' ? this._endReason : null;
  }

  /**
   * The join state of the latest subscribe reply: what the channel's feature answers a subscribe with (a dashboard's
   * stats, an auction's price), or null. Also in each `subscribed` event, so a page refreshes it after a reconnect.
   */
  get joinState() {
    return this._joinState;
  }

  /** The last publication seen: `{offset, epoch}` (null before the first subscribe reply). */
  get position() {
    return this._position ? { ...this._position } : null;
  }

  /**
   * Resolves when the server confirmed the subscription (at once if it already has); rejects with the
   * server's HubbubError when it refused.
   * @returns {Promise<void>}
   */
  ready() {
    if (this._state === 'subscribed') return Promise.resolve();
    if (this._state === 'refused') return Promise.reject(this._refusal);
    if (this._state === 'unsubscribed') return Promise.reject(new HubbubError(ClientErrorCodes.closed, 'unsubscribed'));
    if (this._state === 'ended') return Promise.reject(this._endedError('subscribe'));
    return new Promise((resolve, reject) => this._readyWaiters.push({ resolve, reject }));
  }

  /**
   * Publishes on this channel (queued while offline).
   * @param {unknown} data
   * @param {{event?: string}} [options]
   * @returns {Promise<{offset: number}>}
   */
  publish(data, options) {
    if (this._state === 'ended') return Promise.reject(this._endedError('publish'));
    return this._client.publish(this.channel, data, options);
  }

  /**
   * This channel's history.
   * @param {{since?: {offset: number, epoch: string}, limit?: number}} [options]
   * @returns {Promise<{publications: Array<object>, offset: number, epoch: string}>}
   */
  history(options) {
    if (this._state === 'ended') return Promise.reject(this._endedError('history'));
    return this._client.history(this.channel, options);
  }

  /** Who is in this channel now. @returns {Promise<{members: Array<{user: string, name: string, since: string}>}>} */
  presence() {
    if (this._state === 'ended') return Promise.reject(this._endedError('presence'));
    return this._client.presence(this.channel);
  }

  /** Tells the others this user is (or stopped) typing. @param {boolean} isTyping @returns {boolean} whether sent. */
  typing(isTyping) {
    if (this._state === 'ended') return false;
    return this._client.typing(this.channel, isTyping);
  }

  /** Shares this user's cursor position. @param {Record<string, unknown>} position @returns {boolean} whether sent. */
  cursor(position) {
    if (this._state === 'ended') return false;
    return this._client.cursor(this.channel, position);
  }

  /** Leaves the channel and stops restoring it. @returns {Promise<void>} */
  unsubscribe() {
    if (this._state === 'unsubscribed' || this._state === 'ended') return Promise.resolve();
    this._state = 'unsubscribed';
    this._settleReady(new HubbubError(ClientErrorCodes.closed, 'unsubscribed'));
    const done = this._client._unsubscribe(this);
    this._emit('unsubscribed', {});
    return done;
  }

  /** @private */
  _onDisconnected() {
    if (this._state === 'subscribed') this._state = 'pending';
  }

  /** @private */
  _onSubscribed(reply, resubscribed) {
    if (this._state === 'unsubscribed' || this._state === 'ended') return;
    const recovered = reply.recovered;
    if (!resubscribed || recovered === false || !this._position) {
      // Without recovery the stream starts at the server's latest offset. With recovered:true we keep our
      // position: the replayed publications that follow the reply move it forward.
      this._position = { offset: reply.offset, epoch: reply.epoch };
    }
    this._state = 'subscribed';
    this._joinState = reply.state ?? null;
    this._emit('subscribed', { offset: reply.offset, epoch: reply.epoch, recovered: recovered ?? null, resubscribed, state: this._joinState });
    if (resubscribed && recovered === false) {
      this._emit('reload', { reason: 'not_recovered', epoch: reply.epoch });
    }
    this._settleReady(null);
  }

  /** @private */
  _onRefused(err) {
    this._state = 'refused';
    this._refusal = err;
    err.channel = this.channel;
    this._settleReady(err);
    this._emit('error', err);
  }

  /** @private */
  _settleReady(err) {
    const waiters = this._readyWaiters.splice(0);
    for (const w of waiters) (err ? w.reject(err) : w.resolve());
  }

  /** @private The error a call on an ended subscription rejects with. */
  _endedError(type) {
    return new HubbubError('forbidden', `the server ended the subscription to ${this.channel}: ${this._endReason}`,
      { type, channel: this.channel });
  }

  /** @private The server sent `unsubscribed`: the user lost access, so the subscription ends for good. */
  _onEnded(reason) {
    this._client._forget(this);
    this._state = 'ended';
    this._endReason = typeof reason === 'string' ? reason : '';
    this._settleReady(this._endedError('subscribe'));
    this._emit('unsubscribed', { reason: this._endReason });
  }

  /** @private */
  _onFrame(frame) {
    if (this._state === 'unsubscribed' || this._state === 'ended') return;
    if (frame.type === 'unsubscribed') {
      this._onEnded(frame.data?.reason);
      return;
    }
    if (frame.type === 'stream_reset') {
      const epoch = frame.data?.epoch;
      // Offsets restart in the new epoch: accept whatever comes next, then dedupe from there.
      this._position = { offset: 0, epoch };
      this._emit('reload', { reason: 'stream_reset', epoch });
      return;
    }
    if (typeof frame.offset === 'number') {
      if (this._position && frame.offset <= this._position.offset) return; // already delivered
      if (this._position) this._position.offset = frame.offset;
      const publication = { type: frame.type, channel: frame.channel, offset: frame.offset, data: frame.data };
      if (frame.from) publication.from = frame.from;
      this._emit('publication', publication);
      if (!SUBSCRIPTION_LIFECYCLE.has(frame.type)) this._emit(frame.type, publication);
      return;
    }
    // Ephemeral events (typing, cursor, presence_join/leave, feature events without offset).
    if (!SUBSCRIPTION_LIFECYCLE.has(frame.type)) this._emit(frame.type, frame.data, frame);
  }
}

/** @param {string} url */
function normalizeUrl(url) {
  const parsed = new URL(url);
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new TypeError(`url must be ws:, wss:, http: or https: (got ${parsed.protocol})`);
  }
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/ws';
  return parsed.toString();
}

/** @param {object} options */
function pickDefined(options) {
  const out = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out;
}

/** Stops listening to a socket we are done with. */
function detach(socket) {
  socket.onopen = null;
  socket.onmessage = null;
  // Keep swallowing errors: Node's ws reports a socket closed mid-handshake as an error event, and an
  // EventEmitter error nobody listens to would crash the process.
  socket.onerror = () => {};
  socket.onclose = null;
}
