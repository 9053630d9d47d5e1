// The operator's page (staff only: listed for a token with role admin; the server checks the role on every call).
// Everything comes from the admin REST API (docs/admin-api.md), polled every 2 s while the page is in view: the
// nodes with their connections and publish rate, the channels with subscribers, a channel inspector (position,
// latest history, presence), disconnecting a user, and publishing as the server (POST /api/publish).
import { h, clear, clockTime } from '../dom.js';
import { field } from '../components/field.js';
import { runAction } from '../components/actions.js';
import { mountPolled } from '../components/poll.js';
import { liveCounter } from '../components/live.js';

/** How often the page asks again while it is in view. */
const REFRESH_MS = 2000;
/** Channels listed at once. */
const CHANNELS_SHOWN = 50;
/** History entries the inspector shows. */
const HISTORY_SHOWN = 20;

/** @param {HTMLElement} root @param {import('../shell/context.js').ConsoleContext} ctx */
export function mount(root, ctx) {
  return mountPolled(root, ctx, OperatorPage, REFRESH_MS);
}

const enc = encodeURIComponent;

class OperatorPage {
  /** @param {HTMLElement} root @param {import('../shell/context.js').ConsoleContext} ctx */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    /** @type {string|null} the channel in the inspector */ this.inspected = null;
    this.busy = false;
    /** set when the page is unmounted (mountPolled) */ this.disposed = false;
    this.render();
  }

  render() {
    this.counters = {
      nodes: liveCounter('Nodes', { key: 'nodes' }),
      connections: liveCounter('Connections', { key: 'connections' }),
      rate: liveCounter('Publications / s', { key: 'rate' }),
    };
    this.nodesEl = h('div', { id: 'op-nodes', class: 'stack' });
    this.channelsEl = h('ul', { id: 'op-channels', class: 'op-list', 'aria-label': 'Channels' });
    this.channelsNote = h('p', { class: 'muted small' });
    this.prefix = h('input', { id: 'op-prefix', placeholder: 'e.g. room:', 'aria-label': 'Channel prefix', oninput: () => this.refreshChannels() });

    this.inspectInput = h('input', { id: 'op-inspect-channel', placeholder: 'namespace:name', 'aria-label': 'Channel to inspect' });
    this.inspectorEl = h('div', { id: 'op-inspector', class: 'stack' });

    const kickUser = h('input', { id: 'op-kick-user', placeholder: 'user id', 'aria-label': 'User to disconnect' });
    const kickButton = h('button', { type: 'submit', id: 'op-kick', text: 'Disconnect' });

    const pubChannel = h('input', { id: 'op-pub-channel', placeholder: 'namespace:name', 'aria-label': 'Channel' });
    const pubType = h('input', { id: 'op-pub-type', placeholder: 'message', 'aria-label': 'Event type' });
    const pubData = h('textarea', { id: 'op-pub-data', rows: '3', 'aria-label': 'Data (JSON)' });
    pubData.value = '{"text":"hello from the server"}';
    const pubButton = h('button', { type: 'submit', id: 'op-publish', text: 'Publish' });
    this.pubResult = h('span', { id: 'op-publish-result', class: 'result' });

    clear(this.root).append(h('div', { class: 'feature-page operator' },
      h('div', { class: 'grid' }, this.counters.nodes.el, this.counters.connections.el, this.counters.rate.el),
      h('div', { class: 'columns' },
        h('div', { class: 'stack' },
          h('section', { class: 'card' }, h('h2', { text: 'Nodes' }), this.nodesEl),
          h('section', { class: 'card' }, h('h2', { text: 'Channels' }),
            field('Prefix', this.prefix), this.channelsEl, this.channelsNote)),
        h('div', { class: 'stack' },
          h('section', { class: 'card' }, h('h2', { text: 'Inspect a channel' }),
            h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); this.inspect(this.inspectInput.value.trim()); } },
              this.inspectInput, h('button', { type: 'submit', id: 'op-inspect', text: 'Inspect' })),
            this.inspectorEl),
          h('section', { class: 'card' }, h('h2', { text: 'Publish as the server' }),
            h('form', {
              id: 'op-publish-form', class: 'stack',
              onsubmit: (e) => { e.preventDefault(); this.publish(pubButton, pubChannel.value.trim(), pubType.value.trim(), pubData.value); },
            }, field('Channel', pubChannel), field('Event type (optional)', pubType), field('Data (JSON)', pubData),
            h('div', { class: 'row' }, pubButton, this.pubResult))),
          h('section', { class: 'card' }, h('h2', { text: 'Disconnect a user' }),
            h('form', {
              class: 'row',
              onsubmit: (e) => { e.preventDefault(); this.disconnect(kickButton, kickUser.value.trim()).then((ok) => { if (ok) kickUser.value = ''; }); },
            }, kickUser, kickButton),
            h('p', { class: 'muted small', text: 'Closes every connection of the user on every node (close code 4403: the SDKs do not reconnect with the same token). It is no ban: a new sign-in connects again.' }))))));
  }

  async refresh() {
    if (this.busy || this.disposed) return;
    this.busy = true;
    try {
      await Promise.all([this.refreshNodes(), this.refreshChannels(), this.inspected ? this.inspect(this.inspected, true) : null]);
    } finally {
      this.busy = false;
    }
  }

  async refreshNodes() {
    let list;
    try {
      list = await this.ctx.rest.get('/api/admin/nodes');
    } catch (err) {
      this.failed(err);
      return;
    }
    this.counters.nodes.set(list.nodes.length, list.cluster ? 'sharing Redis' : 'single node');
    this.counters.connections.set(list.connections);
    this.counters.rate.set(list.publish_rate.toFixed(1), 'last few seconds, all nodes');
    clear(this.nodesEl).append(...list.nodes.map((node) => this.renderNode(node, node.node === list.node)));
  }

  renderNode(node, answering) {
    const clients = node.clients.map((c) => h('li', { class: 'op-client', dataset: { user: c.user, client: c.id } },
      h('div', { class: 'op-main' },
        h('strong', { text: c.name }), ' ', h('span', { class: 'muted small', text: `(${c.user})` }),
        h('div', { class: 'muted small', text: `${c.subscriptions} subscription${c.subscriptions === 1 ? '' : 's'} · since ${clockTime(c.connected_at)}` })),
      h('button', { type: 'button', class: 'secondary', text: 'Disconnect', onclick: (e) => this.disconnect(e.currentTarget, c.user) })));
    return h('div', { class: 'op-node', dataset: { node: node.node } },
      h('div', { class: 'row between' },
        h('strong', { class: 'op-name', text: node.node + (answering ? ' (answering)' : '') }),
        h('span', { class: 'muted small', text: `${node.publish_rate.toFixed(1)} pub/s` })),
      h('div', { class: 'muted small', text: `${node.connections} connection${node.connections === 1 ? '' : 's'} · ${node.users} user${node.users === 1 ? '' : 's'} · ${node.subscriptions} subscriptions · ${node.channels} channels · ${node.publications_total} publications` }),
      clients.length ? h('ul', { class: 'op-list' }, clients) : h('p', { class: 'muted small', text: 'No connections.' }),
      node.clients_truncated ? h('p', { class: 'muted small', text: `Newest ${node.clients.length} shown.` }) : null);
  }

  async refreshChannels() {
    let list;
    try {
      list = await this.ctx.rest.get(`/api/admin/channels?limit=${CHANNELS_SHOWN}&prefix=${enc(this.prefix.value.trim())}`);
    } catch (err) {
      this.failed(err);
      return;
    }
    clear(this.channelsEl).append(...list.channels.map((c) => h('li', {
      class: 'op-channel', dataset: { channel: c.channel }, tabindex: '0', role: 'button', title: 'Inspect',
      onclick: () => this.inspect(c.channel),
      onkeydown: (e) => { if (e.key === 'Enter') this.inspect(c.channel); },
    }, h('span', { class: 'op-main op-name', text: c.channel }),
    h('span', { class: 'badge', text: String(c.subscribers), title: `subscribers on ${c.nodes} node${c.nodes === 1 ? '' : 's'}` }))));
    this.channelsNote.textContent = list.total === 0 ? 'No channel has subscribers.'
      : list.total > list.channels.length ? `${list.channels.length} of ${list.total} shown.` : '';
  }

  /** @param {string} channel @param {boolean} [quiet] a refresh: errors do not toast again */
  async inspect(channel, quiet = false) {
    if (!channel) return;
    let c;
    try {
      c = await this.ctx.rest.get(`/api/admin/channels/${enc(channel)}?limit=${HISTORY_SHOWN}`);
    } catch (err) {
      if (!quiet) this.failed(err);
      return;
    }
    if (this.disposed) return;
    this.inspected = channel;
    if (document.activeElement !== this.inspectInput) this.inspectInput.value = channel;
    const history = [...c.history].reverse().map((p) => h('li', { class: 'op-pub', dataset: { offset: String(p.offset) } },
      h('div', { class: 'muted small', text: `#${p.offset} · ${p.type} · ${p.from ? `${p.from.name} (${p.from.user})` : 'server'}` }),
      h('code', { class: 'op-data', text: JSON.stringify(p.data) })));
    clear(this.inspectorEl).append(
      h('div', { class: 'row between' }, h('strong', { class: 'op-name', text: c.channel }),
        h('span', { class: 'muted small', id: 'op-inspect-subscribers', text: `${c.subscribers} subscriber${c.subscribers === 1 ? '' : 's'}` })),
      h('div', { class: 'muted small op-name', text: `offset ${c.offset} · epoch ${c.epoch}` }),
      h('h3', { text: `Presence (${c.presence.length})` }),
      c.presence.length
        ? h('ul', { id: 'op-presence', class: 'op-list' }, c.presence.map((m) => h('li', { dataset: { user: m.user } },
          h('span', { class: 'op-main', text: `${m.name} (${m.user})` }), h('span', { class: 'muted small', text: `since ${clockTime(m.since)}` }))))
        : h('p', { class: 'muted small', text: 'Nobody present.' }),
      h('h3', { text: 'Latest publications' }),
      history.length ? h('ol', { id: 'op-history', class: 'op-list' }, history) : h('p', { class: 'muted small', text: 'No history.' }));
  }

  async disconnect(button, user) {
    if (!user) return false;
    const reply = await runAction(this.ctx, button, () => this.ctx.rest.post(`/api/admin/users/${enc(user)}/disconnect`, {}));
    if (!reply) return false;
    this.ctx.toast(`${user}: ${reply.closed} connection${reply.closed === 1 ? '' : 's'} closed here, ${reply.nodes} node${reply.nodes === 1 ? '' : 's'} told`, 'success');
    this.refresh();
    return true;
  }

  async publish(button, channel, type, dataText) {
    let data;
    try {
      data = JSON.parse(dataText);
    } catch {
      this.ctx.toast('The data is not valid JSON.', 'error');
      return;
    }
    const reply = await runAction(this.ctx, button, () => this.ctx.rest.post('/api/publish', type ? { channel, type, data } : { channel, data }));
    this.pubResult.textContent = reply ? `published at offset ${reply.offset}` : '';
    if (reply && this.inspected === channel) this.inspect(channel, true);
  }

  failed(err) {
    if (err?.status !== 401) this.ctx.toast(`Operator page: ${err?.message ?? err}`, 'error');
  }
}
