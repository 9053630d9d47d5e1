// Bounded waiting: every wait has a deadline, so a broken test fails instead of hanging.

/** Resolves with the next `event` payload from an emitter with `on` (returning a remover), or rejects after ms. */
export function nextEvent(emitter, event, ms = 10_000, predicate = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no '${event}' within ${ms} ms`)); }, ms);
    const off = emitter.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Polls `check` until it returns truthy, or throws after ms. */
export async function until(check, ms = 10_000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} not met within ${ms} ms`);
}
