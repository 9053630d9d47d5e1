// The webhooks page (staff only: listed for a token with role admin; the server checks the role on every call).
// Everything comes from the webhooks REST API (docs/features/webhooks.md): the registered endpoints, the chosen
// endpoint's deliveries narrowed by state (pending, delivered, dead) with their attempts and last answer, Replay on
// a dead letter, and a form to register an endpoint. The deliveries are asked again every 2 s while in view.
import { h, clear, clockTime } from '../dom.js';
import { field } from '../components/field.js';
import { runAction } from '../components/actions.js';
import { mountPolled } from '../components/poll.js';

/** How often the page asks again while it is in view. */
const REFRESH_MS = 2000;
/** Deliveries listed at once (the API's largest page). */
const DELIVERIES_SHOWN = 100;

/** @param {HTMLElement} root @param {import('../shell/context.js').ConsoleContext} ctx */
export function mount(root, ctx) {
  return mountPolled(root, ctx, WebhooksPage, REFRESH_MS);
}

const enc = encodeURIComponent;

class WebhooksPage {
  /** @param {HTMLElement} root @param {import('../shell/context.js').ConsoleContext} ctx */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    /** @type {string|null} the endpoint whose deliveries are listed */ this.chosen = null;
    this.busy = false;
    /** set when the page is unmounted (mountPolled) */ this.disposed = false;
    this.render();
  }

  render() {
    this.endpointsEl = h('ul', { id: 'wh-endpoints', class: 'op-list', 'aria-label': 'Endpoints' });
    this.deliveriesTitle = h('h2', { text: 'Deliveries' });
    this.state = h('select', { id: 'wh-state', 'aria-label': 'State', onchange: () => this.refreshDeliveries() },
      ...[['', 'all'], ['pending', 'pending'], ['delivered', 'delivered'], ['dead', 'dead']].map(([value, text]) => h('option', { value, text })));
    this.deliveriesEl = h('ul', { id: 'wh-deliveries', class: 'op-list', 'aria-label': 'Deliveries' });
    this.deliveriesNote = h('p', { id: 'wh-deliveries-note', class: 'muted small', text: 'Choose an endpoint.' });

    const url = h('input', { id: 'wh-url', type: 'url', placeholder: 'https://backend.example/hooks/hubbub', 'aria-label': 'URL' });
    const events = h('input', { id: 'wh-events', placeholder: 'auction.won, checkin.*', 'aria-label': 'Events' });
    const description = h('input', { id: 'wh-description', 'aria-label': 'Description' });
    const registerButton = h('button', { type: 'submit', id: 'wh-register', text: 'Register' });
    this.registered = h('div', { id: 'wh-registered', class: 'muted small op-name' });

    clear(this.root).append(h('div', { class: 'feature-page webhooks' },
      h('div', { class: 'columns' },
        h('div', { class: 'stack' },
          h('section', { class: 'card' }, h('h2', { text: 'Endpoints' }), this.endpointsEl),
          h('section', { class: 'card' }, h('div', { class: 'row between' }, this.deliveriesTitle, field('State', this.state)),
            this.deliveriesEl, this.deliveriesNote)),
        h('section', { class: 'card' }, h('h2', { text: 'Register an endpoint' }),
          h('form', {
            id: 'wh-register-form', class: 'stack',
            onsubmit: (e) => {
              e.preventDefault();
              this.register(registerButton, url.value.trim(), events.value, description.value.trim())
                .then((ok) => { if (ok) { url.value = ''; events.value = ''; description.value = ''; } });
            },
          }, field('URL', url), field('Events (comma separated; * for all)', events), field('Description (optional)', description),
          h('div', { class: 'row' }, registerButton)),
          this.registered))));
  }

  async refresh() {
    if (this.busy || this.disposed) return;
    this.busy = true;
    try {
      await this.refreshEndpoints();
      await this.refreshDeliveries();
    } finally {
      this.busy = false;
    }
  }

  async refreshEndpoints() {
    let list;
    try {
      list = await this.ctx.rest.get('/api/webhooks');
    } catch (err) {
      this.failed(err);
      return;
    }
    if (this.disposed) return;
    if (this.chosen && !list.webhooks.some((w) => w.id === this.chosen)) this.chosen = null;
    if (!this.chosen && list.webhooks.length) this.chosen = list.webhooks[0].id;
    if (list.webhooks.length === 0) {
      clear(this.endpointsEl).append(h('li', { class: 'muted small', text: 'No endpoint is registered.' }));
      return;
    }
    clear(this.endpointsEl).append(...list.webhooks.map((w) => h('li', {
      class: `op-channel wh-endpoint${w.id === this.chosen ? ' active' : ''}`, dataset: { webhook: w.id }, tabindex: '0', role: 'button',
      title: 'Show its deliveries', 'aria-pressed': String(w.id === this.chosen),
      onclick: () => this.choose(w.id),
      onkeydown: (e) => { if (e.key === 'Enter') this.choose(w.id); },
    }, h('div', { class: 'op-main' },
      h('strong', { class: 'op-name wh-url', text: w.url }),
      h('div', { class: 'muted small op-name wh-events', text: w.events.join(', ') }),
      w.description ? h('div', { class: 'muted small op-name', text: w.description }) : null))));
  }

  choose(id) {
    this.chosen = id;
    for (const li of this.endpointsEl.querySelectorAll('.wh-endpoint')) {
      const on = li.dataset.webhook === id;
      li.classList.toggle('active', on);
      li.setAttribute('aria-pressed', String(on));
    }
    this.refreshDeliveries();
  }

  async refreshDeliveries() {
    const chosen = this.chosen;
    if (!chosen) {
      clear(this.deliveriesEl);
      this.deliveriesNote.textContent = 'Choose an endpoint.';
      return;
    }
    const state = this.state.value;
    let list;
    try {
      list = await this.ctx.rest.get(`/api/webhooks/${enc(chosen)}/deliveries?limit=${DELIVERIES_SHOWN}${state ? `&state=${state}` : ''}`);
    } catch (err) {
      this.failed(err);
      return;
    }
    // An answer for an endpoint or a state no longer chosen is dropped.
    if (this.disposed || chosen !== this.chosen || state !== this.state.value) return;
    this.deliveriesTitle.textContent = `Deliveries of endpoint ${chosen}`;
    clear(this.deliveriesEl).append(...list.deliveries.map((d) => this.renderDelivery(d)));
    this.deliveriesNote.textContent = list.deliveries.length === 0 ? `No ${state ? `${state} ` : ''}delivery.`
      : list.next_cursor ? `Newest ${list.deliveries.length} shown.` : '';
  }

  renderDelivery(d) {
    const answer = d.last_status != null ? `HTTP ${d.last_status}` : d.last_error ?? '';
    const when = d.state === 'pending' && d.next_attempt_at ? `next attempt ${clockTime(d.next_attempt_at)}`
      : d.delivered_at ? `delivered ${clockTime(d.delivered_at)}`
        : d.last_attempt_at ? `last attempt ${clockTime(d.last_attempt_at)}` : '';
    return h('li', { class: 'wh-delivery', dataset: { delivery: d.id, state: d.state } },
      h('div', { class: 'op-main' },
        h('div', { class: 'row' }, h('strong', { class: 'op-name', text: d.event_type }),
          h('span', { class: 'pill wh-state', dataset: { state: d.state }, text: d.state })),
        h('div', { class: 'muted small op-name', text: `event ${d.event_id} · delivery ${d.id} · created ${clockTime(d.created_at)}` }),
        h('div', { class: 'small op-name wh-attempts', text: `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${when ? ` · ${when}` : ''}` }),
        answer ? h('div', { class: 'small op-name wh-error', text: answer === d.last_error || !d.last_error ? answer : `${answer}: ${d.last_error}` }) : null),
      d.state === 'dead' ? h('button', { type: 'button', class: 'secondary wh-replay', text: 'Replay', onclick: (e) => this.replay(e.currentTarget, d.id) }) : null);
  }

  async replay(button, id) {
    const reply = await runAction(this.ctx, button, () => this.ctx.rest.post(`/api/webhooks/deliveries/${enc(id)}/replay`, {}));
    if (!reply) return;
    this.ctx.toast(`Delivery ${id} is ${reply.state} again: a fresh run of attempts`, 'success');
    const row = this.deliveriesEl.querySelector(`.wh-delivery[data-delivery="${CSS.escape(id)}"]`);
    row?.replaceWith(this.renderDelivery(reply));
  }

  async register(button, url, eventsText, description) {
    const events = eventsText.split(',').map((s) => s.trim()).filter(Boolean);
    const body = description ? { url, events, description } : { url, events };
    const reply = await runAction(this.ctx, button, () => this.ctx.rest.post('/api/webhooks', body));
    if (!reply) return false;
    // The secret is shown once here (the list never carries it): the backend needs it to verify signatures.
    clear(this.registered).append(`Endpoint ${reply.id} registered. Its signing secret: `, h('code', { id: 'wh-secret', text: reply.secret }));
    this.chosen = reply.id;
    await this.refresh();
    return true;
  }

  failed(err) {
    if (err?.status !== 401) this.ctx.toast(`Webhooks page: ${err?.message ?? err}`, 'error');
  }
}
