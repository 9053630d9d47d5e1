// The venues page (issue 17): a live dashboard of one venue (counters with LIVE badges, the last 10 check-ins and
// check-outs, toasts), the signed-in member's check-in button and visits, and for staff (role admin) a kiosk that
// checks members in and out with the staff's own token (the API key never reaches a browser) and a new-venue form.
// Declared by VenuesFeature (FeatureBuilder.ConsolePage); served at /console/pages/venues.js.
import { h, clear, clockTime, relativeTime } from '/js/dom.js';
import { liveCounter } from '/js/components/live.js';
import { liveFeed } from '/js/components/feed.js';
import { watchChannel } from '/js/components/channel.js';
import { runAction } from '/js/components/actions.js';
import { field } from '/js/components/field.js';
import { formatDuration } from '/js/components/duration.js';

/** An activity item (join state, `GET …/activity`) as a feed line. */
function activityLine(a) {
  const where = a.location ? ` at ${a.location}` : '';
  const text = a.kind === 'checkout' ? `${a.name ?? a.user} checked out${a.auto ? ' (automatically)' : ''}` : `${a.name ?? a.user} checked in${where}`;
  const meta = [clockTime(a.at), a.kind === 'checkout' ? `stayed ${formatDuration(a.duration_s)}` : null, a.kind === 'checkout' && a.location ? a.location : null]
    .filter(Boolean).join(' · ');
  return { key: a.id, user: a.user, name: a.name, text, meta, kind: a.kind };
}

/**
 * @param {HTMLElement} root
 * @param {import('/js/shell/context.js').ConsoleContext} ctx
 */
export async function mount(root, ctx) {
  const me = ctx.session.user;
  const picker = h('select', { id: 'venue-picker', 'aria-label': 'Venue' });
  const title = h('h1', { class: 'grow ellipsis', text: 'Venues' });
  const counters = {
    present: liveCounter('Present now', { key: 'present' }),
    checkins: liveCounter('Check-ins today', { key: 'checkins' }),
    checkouts: liveCounter('Check-outs today', { key: 'checkouts' }),
    avg: liveCounter('Average visit today', { key: 'avg', format: formatDuration }),
    peak: liveCounter('Peak today', { key: 'peak' }),
  };
  const feed = liveFeed({ max: 10, empty: 'No check-ins yet today.', label: 'Latest activity' });
  const dashboard = h('section', { class: 'stack', id: 'venue-dashboard', hidden: true },
    h('div', { class: 'grid' }, Object.values(counters).map((c) => c.el)),
    h('div', { class: 'columns' },
      h('div', { class: 'card' }, h('h2', { text: 'Latest activity' }), feed.el),
      h('div', { class: 'stack', id: 'venue-side' })));
  const empty = h('p', { class: 'card muted', id: 'venue-empty', hidden: true,
    text: ctx.session.admin ? 'No venues yet: create one below.' : 'No venues yet. Staff (a user with the admin role) can create one.' });
  root.append(h('div', { class: 'feature-page', id: 'venues' }, h('div', { class: 'row' }, title, picker), empty, dashboard));
  const side = /** @type {HTMLElement} */ (dashboard.querySelector('#venue-side'));

  // The member's own card: check in (with a location when the venue lists them), check out, own visits.
  const location = h('select', { 'aria-label': 'Location' });
  const checkinButton = h('button', { type: 'button', id: 'checkin', text: 'Check in' });
  const checkoutButton = h('button', { type: 'button', id: 'checkout', class: 'secondary', text: 'Check out', hidden: true });
  const myState = h('p', { class: 'muted small', id: 'my-state' });
  const myVisits = h('ul', { class: 'feed', id: 'my-visits', 'aria-label': 'My visits' });
  side.append(h('div', { class: 'card stack', id: 'member-card' }, h('h2', { text: 'Me' }), myState,
    h('div', { class: 'row' }, location, checkinButton, checkoutButton), h('h3', { text: 'My visits' }), myVisits));

  // Staff only: the kiosk and the new-venue form (both refused to anyone else by the server anyway).
  const kioskUser = h('input', { name: 'member', placeholder: 'member id', autocomplete: 'off', maxlength: 64 });
  const kioskLocation = h('select', { 'aria-label': 'Kiosk location' });
  const kioskIn = h('button', { type: 'button', id: 'kiosk-in', text: 'Check in' });
  const kioskOut = h('button', { type: 'button', id: 'kiosk-out', class: 'secondary', text: 'Check out' });
  if (ctx.session.admin) {
    side.append(h('div', { class: 'card stack', id: 'kiosk' }, h('h2', { text: 'Kiosk (staff)' }),
      h('p', { class: 'muted small', text: 'Check a member in or out, as staff.' }),
      field('Member', kioskUser), h('div', { class: 'row' }, kioskLocation, kioskIn, kioskOut)));
  }

  /** @type {any} */ let venue = null;
  /** @type {any[]} */ let venues = [];
  let stopWatching = () => {};

  const fillLocations = (select, locations) => {
    clear(select).append(h('option', { value: '', text: 'no location' }), ...(locations ?? []).map((l) => h('option', { value: l, text: l })));
    select.hidden = !(locations?.length);
  };

  const showStats = (s) => {
    if (!s || !venue) return;
    counters.present.set(s.present, `of ${venue.capacity}`);
    counters.checkins.set(s.checkins_today);
    counters.checkouts.set(s.checkouts_today);
    counters.avg.set(s.checkouts_today > 0 ? s.avg_duration_s : null); // "—" until the first check-out of the day
    counters.peak.set(s.peak_today, s.peak_at ? `at ${clockTime(s.peak_at)}` : '');
  };

  const loadMine = async () => {
    if (!venue) return;
    const { visits } = await ctx.rest.get('/api/venues/visits', { query: { limit: 20 } });
    const here = visits.filter((v) => v.venue === venue.id);
    const open = here.find((v) => !v.checked_out_at);
    checkinButton.hidden = !!open;
    location.hidden = !!open || !(venue.locations?.length);
    checkoutButton.hidden = !open;
    myState.textContent = open ? `Checked in since ${clockTime(open.checked_in_at)}${open.location ? ` at ${open.location}` : ''}` : 'Not checked in here.';
    clear(myVisits).append(...(here.length ? here.slice(0, 5).map((v) => h('li', { class: 'feed-item', dataset: { visit: v.id } },
      h('div', { class: 'feed-body' },
        h('div', { class: 'feed-text', text: `${relativeTime(v.checked_in_at)}${v.location ? ` · ${v.location}` : ''}` }),
        h('div', { class: 'feed-meta muted small', text: v.checked_out_at ? `stayed ${formatDuration(v.duration_s)}${v.auto ? ' (checked out automatically)' : ''}` : 'still here' }))))
      : [h('li', { class: 'muted empty', text: 'No visits yet.' })]));
  };

  const open = async (id) => {
    stopWatching();
    venue = venues.find((v) => v.id === id) ?? null;
    dashboard.hidden = !venue;
    if (!venue) return;
    title.textContent = venue.name;
    dashboard.dataset.venue = venue.id;
    fillLocations(location, venue.locations);
    fillLocations(kioskLocation, venue.locations);
    showStats(venue.stats);
    feed.replace([]);
    // The join state is the dashboard's starting point (stats and the last 10 activities); events keep it moving.
    stopWatching = watchChannel(ctx, `venue:${venue.id}`, {
      state: (s) => {
        venue = { ...venue, ...s };
        showStats(s.stats);
        feed.replace((s.activities ?? []).map(activityLine));
      },
      events: {
        stats_update: (p) => showStats(p.data.stats),
        member_checked_in: (p) => {
          const d = p.data;
          feed.add(activityLine({ id: `in-${d.visit}`, kind: 'checkin', user: d.user, name: d.name, location: d.location, at: d.at }));
          ctx.toast(`${d.name} checked in${d.location ? ` at ${d.location}` : ''}${d.over_capacity ? ' (over capacity)' : ''}`, 'success');
          if (d.user === me) loadMine().catch(() => {});
        },
        member_checked_out: (p) => {
          const d = p.data;
          feed.add(activityLine({ id: `out-${d.visit}`, kind: 'checkout', user: d.user, name: d.name, at: d.at, duration_s: d.duration_s, auto: d.auto }));
          ctx.toast(`${d.name} checked out after ${formatDuration(d.duration_s)}${d.auto ? ' (automatically)' : ''}`, 'info');
          if (d.user === me) loadMine().catch(() => {});
        },
        venue_updated: (p) => { venue = { ...venue, ...p.data }; title.textContent = venue.name; },
      },
    });
    await loadMine();
  };

  const loadVenues = async (select) => {
    ({ venues } = await ctx.rest.get('/api/venues', { query: { limit: 100 } }));
    clear(picker).append(...venues.map((v) => h('option', { value: v.id, text: v.name })));
    picker.hidden = venues.length < 2;
    empty.hidden = venues.length > 0;
    const wanted = select ?? venue?.id ?? venues[0]?.id;
    if (wanted) picker.value = wanted;
    await open(picker.value);
  };
  picker.addEventListener('change', () => open(picker.value).catch((err) => ctx.toast(err.message, 'error')));

  const check = (button, path, body) => runAction(ctx, button, () => ctx.rest.post(`/api/venues/${encodeURIComponent(venue.id)}/${path}`, body));
  checkinButton.addEventListener('click', async () => {
    if (await check(checkinButton, 'checkins', location.value ? { location: location.value } : {})) await loadMine();
  });
  checkoutButton.addEventListener('click', async () => { if (await check(checkoutButton, 'checkout', {})) await loadMine(); });
  kioskIn.addEventListener('click', () => {
    const user = kioskUser.value.trim();
    if (user) check(kioskIn, 'checkins', { user, ...(kioskLocation.value ? { location: kioskLocation.value } : {}) });
  });
  kioskOut.addEventListener('click', () => {
    const user = kioskUser.value.trim();
    if (user) check(kioskOut, 'checkout', { user });
  });

  if (ctx.session.admin) root.firstElementChild?.append(newVenueForm(ctx, (id) => loadVenues(id)));
  await loadVenues();
  return { unmount: () => stopWatching() };
}

/** Staff's form for a new venue (`POST /api/venues`, refused to anyone but an admin or the server). */
function newVenueForm(ctx, created) {
  const name = h('input', { name: 'venue-name', required: true, maxlength: 200, autocomplete: 'off' });
  const capacity = h('input', { name: 'capacity', type: 'number', min: 1, value: 40, required: true });
  const timezone = h('input', { name: 'timezone', value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', required: true });
  const locations = h('input', { name: 'locations', placeholder: 'front desk, pool', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', text: 'Create venue' });
  return h('form', {
    class: 'card stack', id: 'new-venue',
    onsubmit: async (e) => {
      e.preventDefault();
      const body = {
        name: name.value.trim(), capacity: Number(capacity.value), timezone: timezone.value.trim(),
        locations: locations.value.split(',').map((s) => s.trim()).filter(Boolean),
      };
      const v = await runAction(ctx, submit, () => ctx.rest.post('/api/venues', body));
      if (v) {
        name.value = '';
        await created(v.id);
      }
    },
  }, h('h2', { text: 'New venue (staff)' }),
  h('div', { class: 'form-grid' }, field('Name', name), field('Capacity', capacity), field('Time zone', timezone), field('Locations', locations), submit));
}
