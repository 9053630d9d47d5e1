// A fake clock for the client's `timers` option: time moves only when the test calls advance().
export class FakeClock {
  constructor(start = 1_000_000) {
    this.time = start;
    this.nextHandle = 1;
    this.timers = new Map();
    this.scheduled = []; // every delay ever scheduled, for assertions
  }

  /** The object to pass as `timers`. */
  get api() {
    return {
      setTimeout: (fn, ms) => {
        const handle = this.nextHandle++;
        this.timers.set(handle, { at: this.time + Math.max(0, ms), fn });
        this.scheduled.push(ms);
        return handle;
      },
      clearTimeout: (handle) => { this.timers.delete(handle); },
      now: () => this.time,
    };
  }

  /** Moves time forward, firing due timers in order (bounded). */
  advance(ms) {
    const target = this.time + ms;
    for (let i = 0; i < 100_000; i++) {
      let next = null;
      for (const [handle, t] of this.timers) {
        if (t.at <= target && (next === null || t.at < next[1].at)) next = [handle, t];
      }
      if (next === null) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = target;
  }

  /** The soonest pending timer's delay from now, or null. */
  nextDelay() {
    let min = null;
    for (const t of this.timers.values()) if (min === null || t.at < min) min = t.at;
    return min === null ? null : min - this.time;
  }
}
