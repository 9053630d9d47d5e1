// The connection tester (the successor of the seeds' simple-websocket-test.html): its own SDK client on
// this server, with connect/disconnect, ping (round-trip time), echo, subscribe, publish and a raw frame log.
// A page of the console shell (js/pages.js).
import { HubbubClient } from '/sdk/hubbub.js';
import { h, clear } from '../dom.js';
import { toast } from '../components/toasts.js';
import { wsUrl } from '../session.js';

const MAX_LOG = 300;

/**
 * A WebSocket constructor that behaves like the browser's and reports every frame to `log`:
 * the SDK takes it through its `WebSocket` option, so the log shows exactly what travels.
 * @param {(dir: 'in'|'out'|'info', text: string) => void} log
 */
function loggingWebSocket(log) {
  return class LoggedWebSocket {
    constructor(url) {
      this.onopen = null;
      this.onmessage = null;
      this.onerror = null;
      this.onclose = null;
      const ws = new WebSocket(url);
      this._ws = ws;
      ws.onopen = (e) => { log('info', 'socket open'); this.onopen?.(e); };
      ws.onmessage = (e) => { log('in', readable(String(e.data))); this.onmessage?.(e); };
      ws.onerror = (e) => { log('info', 'socket error'); this.onerror?.(e); };
      ws.onclose = (e) => { log('info', `socket closed ${e.code}${e.reason ? ` ${e.reason}` : ''}`); this.onclose?.(e); };
    }

    get readyState() { return this._ws.readyState; }

    send(data) {
      log('out', String(data));
      this._ws.send(data);
    }

    close(code, reason) { this._ws.close(code, reason); }
  };
}

/** Mounts the tester. @param {HTMLElement} root @param {import('../shell/context.js').ConsoleContext} ctx */
export function mount(root, ctx) {
  const page = new TesterPage(root, ctx.session);
  return { unmount: () => page.dispose() };
}

/**
 * A frame as text for the log: what arrived, re-serialized so that the server's JSON escapes (`\u0027` for an
 * apostrophe, `\u0022` for a quote) read as the characters they stand for. Anything else is shown as it came.
 * @param {string} raw
 */
function readable(raw) {
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw;
  }
}

class TesterPage {
  /**
   * @param {HTMLElement} root
   * @param {import('../session.js').Session} session
   */
  constructor(root, session) {
    this.root = root;
    this.session = session;
    /** @type {HubbubClient|null} */
    this.client = null;
    this.render();
  }

  render() {
    const field = (name, value, extra = {}) => h('input', { name, value, autocomplete: 'off', spellcheck: 'false', ...extra });
    this.url = field('url', wsUrl(), { class: 'grow' });
    this.state = h('span', { class: 'pill', id: 'tester-state', dataset: { state: 'idle' }, text: 'idle' });
    // Which transports the tester's client may use: auto tries the WebSocket first; sse forces the HTTP fallback.
    this.transportChoice = h('select', { id: 'tester-transport', name: 'transport', title: 'Transport' },
      h('option', { value: 'auto', text: 'auto (WebSocket, then HTTP fallback)' }),
      h('option', { value: 'websocket', text: 'WebSocket only' }),
      h('option', { value: 'sse', text: 'HTTP fallback only (SSE + POST)' }));
    this.transportUsed = h('span', { class: 'pill', id: 'tester-transport-used', text: '—', title: 'Transport in use' });
    this.pingResult = h('span', { id: 'ping-result', class: 'result' });
    this.echoText = field('echo', 'hello');
    this.echoResult = h('span', { id: 'echo-result', class: 'result' });
    this.subChannel = field('channel', 'public:lobby');
    this.subs = h('ul', { id: 'subscriptions', class: 'subs' });
    this.pubChannel = field('pub-channel', 'public:lobby');
    this.pubData = h('textarea', { name: 'pub-data', rows: 2, spellcheck: 'false' });
    this.pubData.value = '{"text":"hello from the tester"}';
    this.pubResult = h('span', { id: 'publish-result', class: 'result' });
    this.log = h('ol', { id: 'frame-log', class: 'frames' });
    this.received = h('ul', { id: 'received', class: 'received' });

    const form = (id, onsubmit, ...children) => h('form', { id, class: 'row', onsubmit: (e) => { e.preventDefault(); onsubmit(); } }, ...children);
    clear(this.root).append(h('div', { class: 'tester' },
      h('div', { class: 'tester-controls' },
        h('div', { class: 'card' },
          h('h2', {}, 'Connection ', this.state),
          form('tester-connect', () => this.connect(), this.url,
            h('button', { type: 'submit', id: 'connect', text: 'Connect' }),
            h('button', { type: 'button', id: 'disconnect', class: 'secondary', text: 'Disconnect', onclick: () => this.disconnect() })),
          h('div', { class: 'row' }, this.transportChoice, h('span', { class: 'muted small', text: 'in use:' }), this.transportUsed),
          h('p', { class: 'muted small', text: `Signed in as ${this.session.name}; the tester uses its own connection.` })),
        h('div', { class: 'card' },
          h('h2', { text: 'Ping and echo' }),
          h('div', { class: 'row' }, h('button', { type: 'button', id: 'ping', text: 'Ping', onclick: () => this.ping() }), this.pingResult),
          form('echo-form', () => this.echo(), this.echoText, h('button', { type: 'submit', id: 'echo', text: 'Echo' }), this.echoResult)),
        h('div', { class: 'card' },
          h('h2', { text: 'Subscribe' }),
          form('subscribe-form', () => this.subscribe(), this.subChannel, h('button', { type: 'submit', id: 'subscribe', text: 'Subscribe' })),
          this.subs,
          h('h3', { text: 'Received' }), this.received),
        h('div', { class: 'card' },
          h('h2', { text: 'Publish' }),
          form('publish-form', () => this.publish(), h('div', { class: 'stack grow' }, this.pubChannel, this.pubData),
            h('button', { type: 'submit', id: 'publish', text: 'Publish' })),
          this.pubResult)),
      h('div', { class: 'card frames-card' },
        // Clear sits beside the title, not in the top right corner where the toasts appear.
        h('div', { class: 'row' }, h('h2', { text: 'Frames' }),
          h('button', { type: 'button', class: 'secondary', id: 'clear-log', text: 'Clear', onclick: () => clear(this.log) })),
        this.log)));
  }

  /** @param {'in'|'out'|'info'} dir @param {string} text */
  addFrame(dir, text) {
    const arrow = dir === 'in' ? '←' : dir === 'out' ? '→' : '·';
    // Tokens travel in the URL, never in frames; still, keep the log to what the socket carried.
    this.log.append(h('li', { class: `frame ${dir}`, dataset: { dir } },
      h('span', { class: 'time', text: new Date().toLocaleTimeString() }), h('span', { class: 'dir', text: arrow }), h('code', { text })));
    while (this.log.children.length > MAX_LOG) this.log.firstElementChild?.remove();
    this.log.scrollTop = this.log.scrollHeight;
  }

  setState(state) {
    this.state.dataset.state = state;
    this.state.textContent = state;
  }

  connect() {
    this.disconnect();
    const choice = this.transportChoice.value;
    const client = new HubbubClient(this.url.value.trim(), {
      getToken: () => this.session.token,
      WebSocket: loggingWebSocket((dir, text) => this.addFrame(dir, text)),
      ...(choice === 'auto' ? {} : { transports: [choice] }),
    });
    this.client = client;
    const showTransport = () => { this.transportUsed.textContent = client.transport ?? '—'; };
    client.on('connecting', showTransport);
    client.on('connected', () => {
      showTransport();
      // The frame log wraps the WebSocket only; the fallback's frames travel over fetch.
      if (client.transport === 'sse') this.addFrame('info', 'connected over the HTTP fallback (frames not logged)');
    });
    client.on('transport_fallback', ({ from, to, reason }) => this.addFrame('info', `${from} failed${reason ? ` (${reason})` : ''}; trying ${to}`));
    client.on('state', (s) => this.setState(s));
    client.on('error', (err) => toast(`Tester: ${err.code}: ${err.message}`, 'error'));
    client.connect().catch((err) => toast(`Tester: ${err.message}`, 'error'));
  }

  disconnect() {
    if (!this.client) return;
    this.client.close('tester disconnect');
    this.client = null;
    clear(this.subs);
    this.setState('closed');
  }

  requireClient() {
    if (!this.client) toast('Connect first.', 'warn');
    return this.client;
  }

  async ping() {
    const client = this.requireClient();
    if (!client) return;
    const started = performance.now();
    try {
      await client.call('ping', { at: Date.now() });
      this.pingResult.textContent = `pong in ${Math.max(0, Math.round(performance.now() - started))} ms`;
    } catch (err) {
      this.pingResult.textContent = `failed: ${err.code}`;
    }
  }

  async echo() {
    const client = this.requireClient();
    if (!client) return;
    try {
      const reply = await client.call('ping', { echo: this.echoText.value });
      this.echoResult.textContent = `echoed: ${reply?.echo ?? JSON.stringify(reply)}`;
    } catch (err) {
      this.echoResult.textContent = `failed: ${err.code}`;
    }
  }

  subscribe() {
    const client = this.requireClient();
    const channel = this.subChannel.value.trim();
    if (!client || !channel) return;
    // Subscribed already: a second call would add a second set of handlers and show every publication twice.
    if (this.subs.querySelector(`li[data-channel="${CSS.escape(channel)}"]`)) return;
    const status = h('span', { class: 'pill', text: 'pending' });
    const item = h('li', { dataset: { channel } }, h('code', { text: channel }), status,
      h('button', { type: 'button', class: 'link', text: 'unsubscribe', onclick: () => { sub.unsubscribe(); item.remove(); } }));
    const sub = client.subscribe(channel, {
      publication: (p) => {
        this.received.prepend(h('li', {}, h('code', { text: `${p.channel} #${p.offset ?? '-'}` }), ' ', p.from ? `${p.from.name}: ` : '', JSON.stringify(p.data)));
        while (this.received.children.length > 50) this.received.lastElementChild?.remove();
      },
      subscribed: ({ offset }) => { status.textContent = `subscribed @${offset}`; status.dataset.state = 'connected'; },
      error: (err) => { status.textContent = err.code; status.dataset.state = 'offline'; },
    });
    this.subs.append(item);
  }

  async publish() {
    const client = this.requireClient();
    if (!client) return;
    let data;
    try {
      data = JSON.parse(this.pubData.value);
    } catch {
      toast('The data must be JSON.', 'error');
      return;
    }
    try {
      const { offset } = await client.publish(this.pubChannel.value.trim(), data);
      this.pubResult.textContent = `published at offset ${offset}`;
    } catch (err) {
      this.pubResult.textContent = `refused: ${err.code}`;
    }
  }

  dispose() {
    this.disconnect();
  }
}
