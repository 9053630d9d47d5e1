// The auction house (issue 19): my wallet (live on wallet_updated), the live lobby (auctions:lobby join state and
// lobby_update), an auction's page (auction:{id} join state: price, countdown that follows extensions, bid button
// with the minimum next bid, the bid list animating), outbid toasts, a seller form, and for staff (role admin) a
// coin grant. Bids go over the WebSocket with queue:false: a bid is never sent late. Declared by AuctionsFeature
// (FeatureBuilder.ConsolePage); served at /console/pages/auctions.js.
import { h, clear, clockTime } from '/js/dom.js';
import { liveBadge, pulse } from '/js/components/live.js';
import { liveFeed } from '/js/components/feed.js';
import { celebrate } from '/js/components/celebration.js';
import { watchChannel } from '/js/components/channel.js';
import { runAction } from '/js/components/actions.js';
import { field } from '/js/components/field.js';
import { startCountdowns, countdownText } from '/js/components/countdowns.js';

const bidLine = (b) => ({ key: b.id, user: b.user, name: b.name, text: `${b.name ?? b.user} bid ${b.amount}`, meta: clockTime(b.at) });
const shownPrice = (a) => (a.price ?? a.starting_bid);

/**
 * @param {HTMLElement} root
 * @param {import('/js/shell/context.js').ConsoleContext} ctx
 */
export async function mount(root, ctx) {
  const me = ctx.session.user;
  const wallet = h('div', { class: 'row', id: 'wallet' });
  const lobby = h('div', { class: 'grid', id: 'lobby' });
  const detail = h('section', { class: 'card stack', id: 'auction', hidden: true });
  const page = h('div', { class: 'feature-page', id: 'auctions' },
    h('div', { class: 'row between' }, h('h1', { text: 'Auction house' }), wallet),
    h('div', { class: 'columns' },
      h('div', { class: 'stack' }, h('div', { class: 'row' }, h('h2', { text: 'Live and upcoming' }), liveBadge()), lobby, detail),
      h('div', { class: 'stack', id: 'auction-side' }, sellerForm(ctx, (a) => open(a.id)))));
  root.append(page);
  const stopClock = startCountdowns(page);

  // --- Wallet ---------------------------------------------------------------------------------------------------
  const showWallet = (w) => {
    const currencies = Object.keys(w.balances ?? {});
    clear(wallet).append(...(currencies.length ? currencies.map((c) => h('span', { class: 'pill', dataset: { currency: c, available: String(w.available[c]), held: String(w.held[c]) } },
      `${c}: ${w.available[c]} available`, w.held[c] ? ` · ${w.held[c]} held` : '')) : [h('span', { class: 'muted small', text: 'No coins yet.' })]));
    pulse(wallet);
  };

  // --- The lobby --------------------------------------------------------------------------------------------------
  /** @type {Map<string, any>} */ const auctions = new Map();
  /** @type {string|null} */ let openId = null;
  const renderLobby = () => {
    const list = [...auctions.values()].sort((a, b) => Date.parse(a.ends_at) - Date.parse(b.ends_at));
    clear(lobby).append(...(list.length ? list.map((a) => h('div', {
      class: `card auction-card${a.id === openId ? ' active' : ''}`, dataset: { auction: a.id }, tabindex: 0,
      onclick: () => open(a.id), onkeydown: (e) => { if (e.key === 'Enter') open(a.id); },
    }, h('strong', { class: 'ellipsis', text: a.title }),
    h('div', { class: 'row between' }, h('span', { class: 'price-small', text: `${shownPrice(a)} ${a.currency}` }), h('span', { class: 'muted small', text: a.state })),
    countdownText(a.state === 'scheduled' ? a.starts_at : a.ends_at, { kind: a.state === 'scheduled' ? 'starts' : 'ends' })))
      : [h('p', { class: 'muted empty', text: 'No live auctions. Start one with the form.' })]));
  };
  const stopLobby = watchChannel(ctx, 'auctions:lobby', {
    state: (s) => {
      auctions.clear();
      for (const a of s.auctions ?? []) auctions.set(a.id, a);
      renderLobby();
    },
    events: {
      lobby_update: (p) => {
        const { kind, auction } = p.data;
        if (kind === 'ended' || kind === 'cancelled') auctions.delete(auction.id);
        else auctions.set(auction.id, auction);
        renderLobby();
      },
    },
  });

  // --- One auction ------------------------------------------------------------------------------------------------
  let stopAuction = () => {};
  const title = h('h2', { class: 'ellipsis' });
  const price = h('div', { class: 'price', id: 'price' });
  const leader = h('div', { class: 'muted small', id: 'leader' });
  const ends = h('span', { class: 'countdown', id: 'ends' });
  const status = h('div', { class: 'small', id: 'auction-status' });
  // No `min`: the server judges a bid, and its reason ("at least 150") is clearer than the browser's bubble.
  const amount = h('input', { type: 'number', name: 'amount', 'aria-label': 'Bid amount' });
  const bidButton = h('button', { type: 'submit', id: 'bid' });
  const bidForm = h('form', { class: 'row', id: 'bid-form' }, amount, bidButton);
  const bids = liveFeed({ max: 20, empty: 'No bids yet.', label: 'Bids' });
  detail.append(h('div', { class: 'row between' }, title, ends), price, leader, status, bidForm, h('h3', { text: 'Bids' }), bids.el);

  /** @type {any} */ let current = null;
  const showAuction = (a) => {
    current = a;
    title.textContent = a.title;
    const text = `${shownPrice(a)} ${a.currency}`;
    if (price.textContent && price.textContent !== text) pulse(price);
    price.textContent = text;
    price.dataset.price = String(a.price ?? '');
    leader.textContent = a.leader ? `leading: ${a.leader === me ? 'you' : (a.leader_name ?? a.leader)} · ${a.bid_count} bid${a.bid_count === 1 ? '' : 's'}` : `starting bid ${a.starting_bid}`;
    ends.dataset.endsAt = a.state === 'scheduled' ? a.starts_at : a.ends_at;
    const live = a.state === 'live';
    bidForm.hidden = !live || a.seller === me;
    status.textContent = a.seller === me ? 'Your auction.' : live ? '' : `This auction is ${a.state}.`;
    if (!amount.value || Number(amount.value) < a.min_next_bid) amount.value = String(a.min_next_bid);
    bidButton.textContent = `Bid ${a.min_next_bid}`;
    // The lobby carries no bids: keep the open auction's card at its live price.
    const card = auctions.get(a.id);
    if (card && (card.price !== a.price || card.ends_at !== a.ends_at)) {
      auctions.set(a.id, { ...card, price: a.price, ends_at: a.ends_at });
      renderLobby();
    }
  };

  const open = (id) => {
    stopAuction();
    openId = id;
    renderLobby();
    detail.hidden = false;
    detail.dataset.auction = id;
    bids.replace([]);
    amount.value = '';
    stopAuction = watchChannel(ctx, `auction:${id}`, {
      state: (s) => {
        showAuction({ ...s.auction, price: s.price, leader: s.leader, bid_count: s.bid_count, min_next_bid: s.min_next_bid, ends_at: s.ends_at, state: s.state });
        bids.replace((s.bids ?? []).map(bidLine));
      },
      events: {
        bid_placed: (p) => {
          const d = p.data;
          bids.add(bidLine(d.bid));
          showAuction({ ...current, price: d.price, leader: d.bid.user, leader_name: d.bid.name, bid_count: d.bid_count, min_next_bid: d.min_next_bid, ends_at: d.ends_at });
        },
        auction_extended: (p) => { showAuction({ ...current, ends_at: p.data.ends_at }); ctx.toast(`${current.title}: extended`, 'info'); },
        auction_started: (p) => showAuction({ ...current, state: 'live', ends_at: p.data.ends_at }),
        auction_cancelled: () => showAuction({ ...current, state: 'cancelled' }),
        auction_ended: (p) => {
          showAuction({ ...current, state: 'ended' });
          status.textContent = p.data.sold ? `Sold to ${p.data.winner === me ? 'you' : (p.data.winner_name ?? p.data.winner)} for ${p.data.price}.` : `Ended unsold (${p.data.reason}).`;
        },
      },
    });
  };

  bidForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!current) return;
    const bid = { auction: current.id, amount: Number(amount.value), client_id: `console-${crypto.randomUUID()}` };
    // queue:false: a bid made while offline fails now instead of arriving late.
    const answer = await runAction(ctx, bidButton, () => ctx.client.call('auction.bid', bid, { queue: false }));
    if (answer) ctx.toast(`You bid ${answer.bid.amount} on ${current.title}`, 'success');
  });

  const offs = [
    ctx.user.on('wallet_updated', (p) => showWallet(p.data)),
    ctx.user.on('outbid', (p) => ctx.toast(`Outbid on ${p.data.title}: now ${p.data.price} ${p.data.currency} (next bid ${p.data.min_next_bid})`, 'warn')),
    ctx.user.on('auction_won', (p) => celebrate(`You won ${p.data.title}!`, `for ${p.data.price} ${p.data.currency}`, { kind: 'epic' })),
    ctx.user.on('auction_sold', (p) => ctx.toast(`${p.data.title} sold for ${p.data.price} ${p.data.currency}`, 'success')),
    ctx.user.on('auction_unsold', (p) => ctx.toast(`${p.data.title} ended unsold (${p.data.reason})`, 'info')),
  ];

  if (ctx.session.admin) page.querySelector('#auction-side')?.append(grantForm(ctx));
  showWallet(await ctx.rest.get('/api/wallet'));
  return {
    unmount() {
      stopClock();
      stopLobby();
      stopAuction();
      for (const off of offs) off();
    },
  };
}

/** The seller's form: `POST /api/auctions` (any signed-in user; the seller is the caller). */
function sellerForm(ctx, created) {
  const title = h('input', { name: 'auction-title', required: true, maxlength: 200, autocomplete: 'off' });
  const currency = h('input', { name: 'currency', value: 'coins', required: true, maxlength: 32 });
  const starting = h('input', { name: 'starting-bid', type: 'number', min: 1, value: 100, required: true });
  const increment = h('input', { name: 'min-increment', type: 'number', min: 1, value: 10, required: true });
  const minutes = h('input', { name: 'minutes', type: 'number', min: 1, value: 10, required: true });
  const snipe = h('input', { name: 'extend-within', type: 'number', min: 0, max: 3600, value: 30 });
  const submit = h('button', { type: 'submit', text: 'Start auction' });
  return h('form', {
    class: 'card stack', id: 'new-auction',
    onsubmit: async (e) => {
      e.preventDefault();
      const body = {
        title: title.value.trim(), currency: currency.value.trim(), starting_bid: Number(starting.value), min_increment: Number(increment.value),
        ends_at: new Date(Date.now() + Number(minutes.value) * 60000).toISOString(), extend_within_s: Number(snipe.value || 0),
      };
      const a = await runAction(ctx, submit, () => ctx.rest.post('/api/auctions', body));
      if (a) {
        title.value = '';
        created(a);
      }
    },
  }, h('h2', { text: 'Sell something' }),
  h('div', { class: 'form-grid' }, field('Title', title), field('Currency', currency), field('Starting bid', starting),
    field('Minimum increment', increment), field('Minutes', minutes), field('Extend if bid within (s)', snipe)), submit);
}

/** Staff's coin grant: `POST /api/wallet/grants` (refused to anyone but an admin or the server). */
function grantForm(ctx) {
  const user = h('input', { name: 'grant-user', value: ctx.session.user, required: true, maxlength: 64, autocomplete: 'off' });
  const amount = h('input', { name: 'grant-amount', type: 'number', min: 1, value: 500, required: true });
  const submit = h('button', { type: 'submit', text: 'Grant coins' });
  return h('form', {
    class: 'card stack', id: 'grant',
    onsubmit: async (e) => {
      e.preventDefault();
      const body = { id: `console-${crypto.randomUUID()}`, user: user.value.trim(), currency: 'coins', amount: Number(amount.value) };
      const g = await runAction(ctx, submit, () => ctx.rest.post('/api/wallet/grants', body));
      if (g) ctx.toast(`Granted ${g.amount} coins to ${g.user}`, 'success');
    },
  }, h('h2', { text: 'Grant coins (staff)' }), h('div', { class: 'form-grid' }, field('User', user), field('Amount', amount), submit));
}
