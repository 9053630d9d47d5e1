// Watching a feature's channel: subscribe, take the join state the feature answers with (again after every
// reconnect, so the view is right at once and after a gap), listen to its events, and stop in one call.

/**
 * @param {import('../shell/context.js').ConsoleContext} ctx
 * @param {string} channel e.g. `venue:city-gym`
 * @param {{state?: (state: any) => void, events?: Record<string, (publication: any) => void>, refused?: (err: any) => void,
 *   subscribed?: (sub: any) => void}} handlers
 *   `state` gets the join state of each subscribe reply; `events` maps publication types (and `presence_join`,
 *   `presence_leave`) to listeners; `subscribed` runs after each subscribe reply with the subscription (`history()`,
 *   `presence()`, `publish()`).
 * @returns {() => void} stops listening and unsubscribes.
 */
export function watchChannel(ctx, channel, { state, events = {}, refused, subscribed } = {}) {
  const sub = ctx.client.subscribe(channel);
  const offs = Object.entries(events).map(([event, fn]) => sub.on(event, fn));
  // After each (re)subscribe: the moment to read what the join state does not carry (history, presence).
  if (subscribed) {
    offs.push(sub.on('subscribed', () => subscribed(sub)));
    if (sub.state === 'subscribed') queueMicrotask(() => subscribed(sub));
  }
  if (state) {
    offs.push(sub.on('subscribed', (e) => { if (e.state) state(e.state); }));
    if (sub.joinState) state(sub.joinState);
  }
  offs.push(sub.on('error', (err) => (refused ? refused(err) : ctx.toast(`${channel}: ${err.message}`, 'error'))));
  return () => {
    for (const off of offs) off();
    sub.unsubscribe();
  };
}
