// Short human durations: "45 s", "12 min", "1 h 04 min".

/** @param {number|null|undefined} seconds */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(Number(seconds))) return '—';
  const s = Math.max(0, Math.floor(Number(seconds)));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** "2 h 05 min left", "45 s left", "ended": the time until `until` (ISO or ms). @param {string|number} until */
export function timeLeft(until) {
  const ms = new Date(until).getTime() - Date.now();
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return 'ended';
  return `${formatDuration(Math.ceil(ms / 1000))} left`;
}
