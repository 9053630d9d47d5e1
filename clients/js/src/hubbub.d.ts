// Type declarations of the Hubbub JavaScript SDK (hubbub.js). See docs/sdk-js.md.

/** A position in a channel's stream: the last offset seen and the epoch it belongs to. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/** Who sent a publication or an ephemeral event. */
export interface Sender {
  user: string;
  name: string;
}

/** A publication delivered to a subscription: it has an offset and is kept in history. */
export interface Publication<T = unknown> {
  /** `message` or the publication's event name. */
  type: string;
  channel: string;
  /** Grows by exactly 1 per publication on the channel, within one epoch. */
  offset: number;
  data: T;
  /** Absent for publications from the server API or a feature. */
  from?: Sender;
}

// ---- Event payloads of the built-in features (docs/features/*.md, FEATURES.md) --------------------------------
// Publications arrive on a subscription; `sub.on('bid_placed', p => p.data.price)` and
// `client.subscribe('auction:7', { bid_placed: (p) => p.data.price })` are typed through EventDataMap below.
// Shapes list the fields the contract fixes; a server may send more.

/** A chat message (docs/features/messaging.md). */
export interface ChatMessage {
  id: string;
  conversation: string;
  sender: Sender;
  text: string;
  client_id?: string | null;
  created_at: string;
  edited_at?: string | null;
  deleted?: boolean;
}

/** A conversation as one participant sees it. */
export interface Conversation {
  id: string;
  kind: 'direct' | 'group';
  title?: string | null;
  participants: Array<{ user: string; name: string }>;
  last_message?: ChatMessage | null;
  unread_count: number;
  created_at: string;
}

/** A room (docs/features/rooms.md). */
export interface Room {
  id: string;
  channel: string;
  title?: string | null;
  owner: string;
  members: string[];
  created_at: string;
}

/** A feed activity (FEATURES.md, social feed). */
export interface Activity {
  id: string;
  user: string;
  name: string;
  type: string;
  title: string;
  description?: string | null;
  data?: unknown;
  created_at: string;
  like_count: number;
  comment_count: number;
  liked_by_me: boolean;
}

/** A venue's live numbers (FEATURES.md, check-ins). */
export interface VenueStats {
  present: number;
  checkins_today: number;
  checkouts_today: number;
  avg_duration_s: number;
  peak_today: number;
}

/** A leaderboard row that moved. */
export interface LeaderboardRow {
  rank: number;
  previous_rank?: number | null;
  user: string;
  name: string;
  score: number;
}

/** A challenge participant's row (`challenge_ended` standings, the join state of `challenge:{id}`). */
export interface ChallengeStanding {
  rank: number;
  user: string;
  name: string;
  progress: number;
  completed: boolean;
  joined_at: string;
}

/** Wallet amounts per currency (integers). */
export type Balances = Record<string, number>;

/**
 * Event name → `data` of its publication, for the core's and the built-in features' events. Use it in your own
 * code too: `(p: Publication<EventDataMap['outbid']>) => …`.
 */
export interface EventDataMap {
  // messaging: conversation:{id} and user:{id}
  message_edited: ChatMessage;
  message_deleted: ChatMessage;
  read: { user: string; message_id: string; read_at: string };
  participants_changed: Conversation;
  conversation_added: Conversation;
  status: { user: string; is_online: boolean; last_seen: string | null };
  // rooms: room:{id} and user:{id}
  member_added: { room: string; user: string };
  member_removed: { room: string; user: string };
  room_added: Room;
  room_removed: { room: string; user: string };
  // notifications on user:{id}
  notification: { id: string; type: string; data: unknown; created_at: string; read: boolean };
  // gamification on user:{id}, leaderboard:{key}, challenge:{id}
  xp_gained: { amount: number; total: number; reason: string };
  level_up: { level: number; previous: number };
  achievement_unlocked: { key: string; name: string; rarity: 'common' | 'rare' | 'epic' | 'legendary'; xp: number };
  quest_completed: { key: string; name: string; xp: number };
  streak_updated: { key: string; count: number };
  rank_changed: { board: string; rank: number; previous_rank: number | null };
  overtaken: { board: string; by: string; name: string; rank: number };
  leaderboard_change: { board: string; period: string; entries: LeaderboardRow[] };
  leaderboard_reset: {
    board: string; period: string; resets_at: string; previous_period: string;
    final: { rank: number; user: string; name: string; score: number }[];
  };
  challenge_joined: { challenge: string; user: string; name: string };
  challenge_update: { challenge: string; user: string; name: string; progress: number; goal: number };
  challenge_completed: { challenge: string; user: string; name: string };
  challenge_left: { challenge: string; user: string; name: string };
  challenge_ended: {
    challenge: string; title: string; goal: number; ended_at: string; participant_count: number; completed_count: number;
    standings: ChallengeStanding[];
  };
  // social feed on user:{id} and feed:{id}
  friend_request: { user: string; name: string };
  friend_added: { user: string; name: string };
  friend_activity: { activity: Activity };
  activity_deleted: { id: string };
  activity_liked: { activity: string; user: string; name: string; like_count: number };
  activity_commented: {
    activity: string;
    comment: { id: string; user: string; name: string; text: string; created_at: string };
    comment_count: number;
  };
  // check-ins on venue:{id}
  member_checked_in: { user: string; name: string; location?: string | null; at: string };
  member_checked_out: { user: string; name: string; duration_s: number; at: string; auto: boolean };
  stats_update: { stats: VenueStats };
  activity_notification: { kind: string; user: string; name: string; text: string; at: string };
  // learning progress on user:{id}
  progress_update: { course: string; module: string; task: string; percent: number; xp: number; score: number | null };
  module_completed: { course: string; module: string; title: string };
  course_completed: { course: string; title: string };
  // learning progress of a study group's members on room:{id} (no `from`: the server's)
  member_progress: { user: string; name: string; course: string; percent: number; module: string | null; task: string | null };
  // wallet on user:{id}
  wallet_updated: { balances: Balances; held: Balances };
  // auctions on auction:{id} and user:{id}
  bid_placed: { bid: { id: string; user: string; name: string; amount: number; at: string }; price: number; ends_at: string; bid_count: number };
  auction_extended: { ends_at: string };
  auction_started: Record<string, unknown>;
  auction_ended: { winner: string | null; price: number };
  outbid: { auction: string; price: number };
  auction_won: { auction: string; price: number };
  auction_sold: Record<string, unknown>;
}

/**
 * WebSocket commands with a known request and reply (`client.call('auction.bid', {...})` is typed). Any other
 * type still works through the untyped overload of `call`.
 */
export interface CommandMap {
  'chat.send': { request: { conversation: string; text: string; client_id?: string }; reply: ChatMessage };
  'chat.read': { request: { conversation: string; message: string }; reply: Record<string, unknown> };
  'auction.bid': { request: { auction: string; amount?: number; max_amount?: number; client_id?: string }; reply: BidReply };
}

/** One bid of an auction (docs/features/auctions.md). */
export interface AuctionBid {
  id: string;
  user: string;
  name: string;
  amount: number;
  at: string;
  /** Placed by the server for a proxy bidder's maximum. */
  auto: boolean;
}

/** The answer to a bid (`auction.bid`, `POST /api/auctions/{id}/bids`): the caller's bid and the auction after it. */
export interface BidReply {
  bid: AuctionBid;
  auction: string;
  price: number;
  ends_at: string;
  bid_count: number;
  min_next_bid: number;
  /** A repeat of an earlier bid's `client_id`: the first answer again, nothing placed. */
  duplicate: boolean;
  leader: string;
  /** Whether the caller leads after the bid (a leader's proxy may answer it at once). */
  leading: boolean;
  /** The caller's maximum, held while leading. */
  max_amount: number;
}

/** The server's first frame's data. */
export interface Welcome {
  client: string;
  user: string;
  name: string;
  heartbeat_ms: number;
  node: string;
  version: string;
  limits: { max_frame_bytes: number; max_subscriptions: number; messages_per_second: number; burst: number };
  /** When the connection's token expires (Unix seconds); absent when it does not. */
  expires_at?: number;
}

/** Data of `typing` events. */
export interface TypingEvent extends Sender {
  is_typing: boolean;
}

/** Data of `cursor` events: the sender plus whatever position fields it sent. */
export type CursorEvent = Sender & Record<string, unknown>;

/** Reply to `presence`. */
export interface PresenceReply {
  members: Array<{ user: string; name: string; since: string }>;
}

/** Reply to `history`. */
export interface HistoryReply {
  publications: Publication[];
  offset: number;
  epoch: string;
  /** Present (true) when more publications were asked for than fit the server's reply budget; ask again with `since` the last offset. */
  truncated?: true;
}

/** The injectable clock: used for backoff, the breaker's cool-down, heartbeat checks and timeouts. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds, monotonic enough for measuring silence. */
  now(): number;
}

/** The WebSocket shape the client needs (the browser's, undici's or the `ws` package's). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Used when present (Node's `ws`) to drop a dead socket at once. */
  terminate?(): void;
  // `any` events: the browser's, undici's and ws's event classes differ; the client reads `data`, `code`,
  // `reason` and `message` from them.
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
}

/** Options of {@link HubbubClient}. Give `token` or `getToken`. */
export interface HubbubClientOptions {
  /** A JWT sent as `access_token` on every connection. */
  token?: string;
  /**
   * Called before every connection attempt (the first and each reconnect), so a refreshed token is used; also
   * `refreshBeforeExpiryMs` before the connection's token expires, and the fresh token sent with `refresh`, so the
   * connection outlives its token without reconnecting (no publication lost or repeated).
   */
  getToken?: () => string | Promise<string>;
  /** How long before the token's `exp` the client refreshes it through `getToken`, in ms. Default 30000. */
  refreshBeforeExpiryMs?: number;
  /** The WebSocket constructor. Default `globalThis.WebSocket`; in Node 20 pass the `ws` package's. */
  WebSocket?: new (url: string) => WebSocketLike;
  /**
   * Transports to try, in order. Default `['websocket', 'sse']`: an attempt that fails before `welcome` moves on to
   * the next at once; the one that worked is remembered for this page (module state and sessionStorage) and tried
   * first on later connections. `sse` is the HTTP fallback (Server-Sent Events + POST), which also uses `fetch`.
   */
  transports?: Array<Transport>;
  /** First reconnect delay ceiling in ms; doubles per failed attempt. Default 500. */
  backoffBaseMs?: number;
  /** Largest reconnect delay ceiling in ms. Default 30000. */
  backoffCapMs?: number;
  /** Consecutive failed attempts that open the circuit breaker. Default 8. */
  circuitBreakerThreshold?: number;
  /** Wait in ms while the breaker is open before one more attempt. Default 60000. */
  circuitBreakerCooldownMs?: number;
  /** Requests the offline queue holds; beyond it the oldest is dropped. Default 100. */
  queueLimit?: number;
  /** How long a sent request waits for its reply, in ms. Default 15000. */
  callTimeoutMs?: number;
  /** How long an attempt may take from opening the socket to `welcome`, in ms. Default 10000. */
  connectTimeoutMs?: number;
  /** Silence in ms after which the connection counts as dead; 0 (default) means 2 × the server's `heartbeat_ms`. */
  heartbeatTimeoutMs?: number;
  /** The clock. Default: the global setTimeout/clearTimeout and Date.now. */
  timers?: Timers;
  /** The jitter source in [0, 1). Default Math.random. */
  random?: () => number;
  /** Base URL of the REST API for `client.rest`. Default: derived from the WebSocket URL (`wss://h/ws` → `https://h`). */
  restUrl?: string;
  /** The fetch `client.rest` uses. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** Client-side error codes. */
/** Close code 4401: the token expired without a refresh; a client with `getToken` reconnects with a fresh one. */
export declare const TOKEN_EXPIRED: 4401;

export declare const ClientErrorCodes: Readonly<{
  timeout: 'timeout';
  disconnected: 'disconnected';
  closed: 'closed';
  queueOverflow: 'queue_overflow';
  unauthorized: 'unauthorized';
  notConnected: 'not_connected';
  network: 'network_error';
}>;

/** Server error codes (closed catalogue) and client ones. */
export type HubbubErrorCode =
  | 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'too_large' | 'internal'
  | 'timeout' | 'disconnected' | 'closed' | 'queue_overflow' | 'not_connected' | 'network_error'
  | (string & {});

/** An error from the server or the client; check `code`. */
export declare class HubbubError extends Error {
  constructor(code: string, message: string, details?: { type?: string; channel?: string; reason?: string });
  readonly name: 'HubbubError' | 'HubbubRestError';
  /** The error code. */
  code: HubbubErrorCode;
  /** The request type that failed, when known. */
  type?: string;
  /** The channel concerned, when known. */
  channel?: string;
  /** The feature's machine-readable refinement of `code`, e.g. `bid_too_low`, when the server sent one (WebSocket and REST). */
  reason?: string;
}

/** A REST call answered with an error status: `code`, the feature's `reason` (when sent) and the HTTP `status`. */
export declare class HubbubRestError extends HubbubError {
  constructor(code: string, message: string, details: { status: number; reason?: string; method: string; path: string; body?: unknown });
  readonly name: 'HubbubRestError';
  /** The HTTP status, e.g. 409. */
  status: number;
  method: string;
  path: string;
  /** The parsed error body (null when empty or not JSON). */
  body: unknown;
}

/** Options of one REST call. */
export interface RestOptions {
  /** Added as the query string (undefined and null values are left out). */
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Extra headers (e.g. `X-Api-Key` for server calls). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Default: the client's `callTimeoutMs`. */
  timeoutMs?: number;
}

/** The server's REST API with the client's token (`client.rest`). Resolves with the parsed JSON (null when empty). */
export declare class RestClient {
  constructor(baseUrl: string, options: { token?: string; getToken?: () => string | Promise<string>; fetch?: typeof fetch; timeoutMs?: number });
  /** e.g. `https://chat.example.com`, without a trailing slash. */
  readonly baseUrl: string;
  get<T = any>(path: string, options?: RestOptions): Promise<T>;
  post<T = any>(path: string, body?: unknown, options?: RestOptions): Promise<T>;
  put<T = any>(path: string, body?: unknown, options?: RestOptions): Promise<T>;
  patch<T = any>(path: string, body?: unknown, options?: RestOptions): Promise<T>;
  delete<T = any>(path: string, options?: RestOptions): Promise<T>;
  request<T = any>(method: string, path: string, options?: RestOptions & { body?: unknown }): Promise<T>;
}

/** The REST base URL of a WebSocket endpoint: `wss://host/prefix/ws` → `https://host/prefix`. */
export declare function restUrlFor(wsUrl: string): string;

/** Options of `call` and `publish`. */
export interface CallOptions {
  /** Counts from sending. Default: the client's `callTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Default true: while not connected the request waits in the offline queue. False: it rejects at once with
   * `not_connected` (for what must never arrive late, like a bid).
   */
  queue?: boolean;
}

/** Exponential backoff with full jitter: random in [0, min(capMs, baseMs × 2^attempt)). */
export declare function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number;

/** True when a close code means "reconnect" (everything but 1000 and 4400–4499). */
export declare function shouldReconnect(code: number): boolean;

/** A transport: the WebSocket, or the HTTP fallback (Server-Sent Events down, POSTs up). */
export type Transport = 'websocket' | 'sse';

/**
 * The HTTP fallback behind the WebSocket interface the client uses: `GET …/ws/sse` (read with fetch, token as
 * `Authorization: Bearer`) for server frames, `POST …/ws/sse/{session}` for client frames, batched and in order.
 */
export declare class SseSocket implements WebSocketLike {
  /** @param url the WebSocket URL (`ws(s)://host/ws?access_token=…`). */
  constructor(url: string, options?: { fetch?: typeof fetch; maxFramesPerPost?: number; maxPostBytes?: number });
  /** The stream's URL, without the token. */
  readonly url: string;
  readonly readyState: number;
  /** The session id the server issued (null until open). */
  readonly session: string | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
}

/** Connection states. */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Events of {@link HubbubClient} and their payloads. */
export interface ClientEvents {
  state: ClientState;
  connecting: { attempt: number };
  connected: Welcome;
  disconnected: { code: number; reason: string; willReconnect: boolean };
  reconnecting: { delay: number; attempt: number };
  circuit_open: { failures: number; cooldownMs: number };
  /** The handshake was refused (status seen: 401/403) or the server closed with a 44xx code. */
  auth_failed: { status?: number; code?: number; reason: string; willRetry: boolean };
  /** The client stopped for good (close(), a "don't reconnect" close code, or a refused static token). */
  closed: { code: number; reason: string };
  /** The offline queue was full; this oldest request was dropped (its promise rejects with queue_overflow). */
  queue_dropped: { type: string; data: unknown };
  /** The connection's token was replaced in place (`refresh`); `expires_at` is the new expiry in Unix seconds. */
  token_refreshed: { expires_at?: number };
  /** An error no request was waiting for. */
  error: HubbubError;
  /** An attempt failed before `welcome` (e.g. a proxy refused the WebSocket); `to` is tried at once. */
  transport_fallback: { from: Transport; to: Transport; code: number; reason: string };
}

/** A Hubbub connection shared by all subscriptions. */
export declare class HubbubClient {
  /** @param url e.g. `wss://host/ws` (`http(s)` becomes `ws(s)`, a bare host gets `/ws`). */
  constructor(url: string, options: HubbubClientOptions);
  /** The connection state. */
  readonly state: ClientState;
  /** The current connection's welcome data (null before the first). */
  readonly welcome: Welcome | null;
  /** The transport of the current connection or attempt (null before the first). */
  readonly transport: Transport | null;
  /** Consecutive failed attempts since the last success. */
  readonly failures: number;
  /** Requests waiting in the offline queue. */
  readonly queued: number;
  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof ClientEvents>(event: E, fn: (payload: ClientEvents[E]) => void): () => void;
  /** Removes a listener. */
  off<E extends keyof ClientEvents>(event: E, fn: (payload: ClientEvents[E]) => void): void;
  /** Opens the connection; resolves at the first welcome, rejects only if the client stops for good first. */
  connect(): Promise<void>;
  /** While waiting to reconnect (backoff or open breaker), tries now instead; returns whether an attempt started. */
  retryNow(): boolean;
  /** Closes with 1000 and stops reconnecting; queued and unanswered requests reject with `closed`. */
  close(reason?: string): void;
  /** Subscribes (now or once connected) and keeps the subscription across reconnects. */
  subscribe(channel: string, handlers?: SubscriptionHandlers): Subscription;
  /** The subscription to a channel, if any. */
  getSubscription(channel: string): Subscription | undefined;
  /** The server's REST API, carrying this client's token. */
  readonly rest: RestClient;
  /** A known command: typed request and reply. Queued while offline unless `queue: false`. */
  call<K extends keyof CommandMap>(type: K, data: CommandMap[K]['request'], options?: CallOptions): Promise<CommandMap[K]['reply']>;
  /** Any request with an id: resolves with the reply's data, rejects with a HubbubError. Queued while offline unless `queue: false`. */
  call<T = any, S extends string = string>(type: Exclude<S, keyof CommandMap>, data?: unknown, options?: CallOptions): Promise<T>;
  /** Publishes on a channel (queued while offline unless `queue: false`). */
  publish(channel: string, data: unknown, options?: { event?: string } & CallOptions): Promise<{ offset: number }>;
  /** A channel's history. */
  history(channel: string, options?: { since?: StreamPosition; limit?: number }): Promise<HistoryReply>;
  /** Who is in a channel. */
  presence(channel: string): Promise<PresenceReply>;
  /** Typing indicator; sent only while connected. Returns whether it was sent. */
  typing(channel: string, isTyping: boolean): boolean;
  /** Cursor position; sent only while connected. Returns whether it was sent. */
  cursor(channel: string, position: Record<string, unknown>): boolean;
}

/** Events of a {@link Subscription} besides publication types. */
export interface SubscriptionEvents {
  publication: Publication;
  message: Publication;
  typing: TypingEvent;
  cursor: CursorEvent;
  presence_join: Sender;
  presence_leave: Sender;
  /** `state`: the channel's join state, when its feature answers a subscribe with one (a dashboard's stats), else null. */
  subscribed: { offset: number; epoch: string; recovered: boolean | null; resubscribed: boolean; state: any };
  /** Missed publications cannot be replayed (history lost or stream restarted): reload the app's state. */
  reload: { reason: 'not_recovered' | 'stream_reset'; epoch: string };
  error: HubbubError;
  /**
   * The subscription ended: after `unsubscribe()` (no `reason`), or because the server ended it when the user lost
   * access, e.g. left the conversation (`reason` from the server; the subscription is then `ended`).
   */
  unsubscribed: { reason?: string };
}

/** Handlers given to `subscribe`: lifecycle events, the known feature events (typed), or any publication event name. */
export type SubscriptionHandlers = {
  [E in keyof SubscriptionEvents]?: (payload: SubscriptionEvents[E]) => void;
} & {
  [E in Exclude<keyof EventDataMap, keyof SubscriptionEvents>]?: (payload: Publication<EventDataMap[E]>) => void;
} & { [event: string]: ((payload: any) => void) | undefined };

/** A channel subscription, restored with recovery after every reconnect. */
export declare class Subscription {
  /** The channel name. */
  readonly channel: string;
  /**
   * `pending`, `subscribed`, `refused`, `unsubscribed` (by the app) or `ended` (by the server: the user lost access;
   * never restored, and `ready`/`publish`/`history`/`presence` reject with code `forbidden`).
   */
  readonly state: 'pending' | 'subscribed' | 'refused' | 'unsubscribed' | 'ended';
  /** Why the server ended this subscription; null unless `state` is `ended`. */
  readonly endReason: string | null;
  /** The last publication seen (null before the first subscribe reply). */
  readonly position: StreamPosition | null;
  /** The join state of the latest subscribe reply (a feature's current view of the channel), or null. */
  readonly joinState: any;
  /** Adds a listener for a known event or any publication event name; returns a remover. */
  on<E extends keyof SubscriptionEvents>(event: E, fn: (payload: SubscriptionEvents[E]) => void): () => void;
  on<E extends Exclude<keyof EventDataMap, keyof SubscriptionEvents>>(event: E, fn: (payload: Publication<EventDataMap[E]>) => void): () => void;
  on(event: string, fn: (payload: Publication) => void): () => void;
  /** Removes a listener. */
  off(event: string, fn: (...args: any[]) => void): void;
  /** Resolves when the server confirmed the subscription; rejects when it refused. */
  ready(): Promise<void>;
  /** Publishes on this channel (queued while offline unless `queue: false`). */
  publish(data: unknown, options?: { event?: string } & CallOptions): Promise<{ offset: number }>;
  /** This channel's history. */
  history(options?: { since?: StreamPosition; limit?: number }): Promise<HistoryReply>;
  /** Who is in this channel. */
  presence(): Promise<PresenceReply>;
  /** Typing indicator; returns whether it was sent (false when offline or `ended`). */
  typing(isTyping: boolean): boolean;
  /** Cursor position; returns whether it was sent (false when offline or `ended`). */
  cursor(position: Record<string, unknown>): boolean;
  /** Leaves the channel and stops restoring it. */
  unsubscribe(): Promise<void>;
}
