// The connection badge in the top bar: connected / connecting… / reconnecting in Ns / offline, from the SDK's
// events, with a "Retry now" button while waiting to reconnect (after a long outage the wait grows to a minute),
// plus toasts for what the user should know about.
import { byId } from '../dom.js';
import { toast } from './toasts.js';

/**
 * Wires `client`'s events to the badge. Returns a function that unwires them.
 * @param {import('/sdk/hubbub.js').HubbubClient} client
 */
export function bindConnectionBadge(client) {
  const box = byId('conn');
  const text = byId('conn-text');
  const retry = byId('retry-now');
  let countdown = null;

  const show = (state, label) => {
    box.dataset.state = state;
    text.textContent = label;
    retry.hidden = state !== 'reconnecting';
  };
  const stopCountdown = () => {
    if (countdown) clearInterval(countdown);
    countdown = null;
  };
  const startCountdown = (delayMs) => {
    stopCountdown();
    const until = Date.now() + delayMs;
    const tick = () => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      show('reconnecting', `reconnecting in ${left}s`);
      if (left === 0) stopCountdown();
    };
    tick();
    countdown = setInterval(tick, 250);
  };
  const onRetry = () => {
    if (client.retryNow()) {
      stopCountdown();
      show('connecting', 'connecting…');
    }
  };
  retry.addEventListener('click', onRetry);

  const offs = [
    client.on('connecting', ({ attempt }) => { if (attempt <= 1 && client.failures === 0) show('connecting', 'connecting…'); }),
    client.on('connected', () => { stopCountdown(); show('connected', 'connected'); }),
    client.on('reconnecting', ({ delay }) => startCountdown(delay)),
    client.on('circuit_open', ({ cooldownMs }) => { startCountdown(cooldownMs); toast('The server keeps refusing; waiting before trying again.', 'warn'); }),
    client.on('closed', ({ reason }) => { stopCountdown(); show('offline', 'offline'); if (reason) toast(`Disconnected: ${reason}`, 'error'); }),
    client.on('queue_dropped', ({ type }) => toast(`Offline queue full: a queued "${type}" was dropped.`, 'warn')),
    client.on('error', (err) => toast(`${err.code}: ${err.message}`, 'error')),
  ];
  return () => {
    stopCountdown();
    retry.removeEventListener('click', onRetry);
    for (const off of offs) off();
    show('offline', 'offline');
  };
}
