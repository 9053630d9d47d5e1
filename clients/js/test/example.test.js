// Runs examples/js/resilient-subscriber.mjs as a real process (Node's standard WebSocket, as in a browser)
// against a real server, kills and restores its connection while a backend keeps publishing, and checks
// that it received every publication exactly once, in order.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ServerProcess } from '../testkit/server.js';
import { ToxicProxy } from '../testkit/proxy.js';
import { until } from '../testkit/wait.js';

const script = fileURLToPath(new URL('../../../examples/js/resilient-subscriber.mjs', import.meta.url));
const total = 60;

describe('example: resilient subscriber', { timeout: 90_000 }, () => {
  const server = new ServerProcess();
  let proxy;
  let child;
  before(async () => {
    await server.start();
    proxy = new ToxicProxy(server.port);
    await proxy.listen();
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await proxy?.close();
    await server.stop();
  });

  it('keeps receiving every publication while its connection is killed and restored', { timeout: 60_000 }, async () => {
    const lines = [];
    let partial = '';
    child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', script], {
      env: {
        ...process.env,
        HUBBUB_URL: proxy.wsUrl,
        HUBBUB_TOKEN: server.token(77, 'example'),
        HUBBUB_CHANNEL: 'public:example',
        HUBBUB_EXPECT: String(total),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      partial += d;
      const parts = partial.split('\n');
      partial = parts.pop();
      for (const line of parts) if (line.trim()) lines.push(JSON.parse(line));
    });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const events = (name) => lines.filter((l) => l.event === name);
    await until(() => events('subscribed').length === 1, 15_000, 'the example subscribed');

    for (let n = 1; n <= total; n++) {
      await server.publish('public:example', { n });
      if (n === 15 || n === 40) {
        // Kill the connection and keep it down while a few more publications happen.
        const drops = events('disconnected').length;
        proxy.refuse();
        proxy.cut();
        await until(() => events('disconnected').length > drops, 10_000, 'the example saw the drop');
      }
      if (n === 22 || n === 47) {
        const subscribed = events('subscribed').length;
        proxy.pass();
        await until(() => events('subscribed').length > subscribed, 15_000, 'the example resubscribed');
      }
    }

    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000).unref())]);
    assert.equal(code, 0, `example exit code; stderr: ${stderr}; last lines: ${JSON.stringify(lines.slice(-5))}`);
    const offsets = events('message').map((m) => m.offset);
    assert.deepEqual(offsets, Array.from({ length: total }, (_, i) => i + 1), 'every publication once, in order');
    assert.deepEqual(events('message').map((m) => m.data.n), offsets);
    assert.ok(events('disconnected').length >= 2, 'the connection really dropped twice');
    assert.deepEqual(events('gap_or_duplicate'), []);
    assert.deepEqual(events('reload'), []);
    const resubscribes = events('subscribed').slice(1);
    assert.ok(resubscribes.length >= 2 && resubscribes.every((s) => s.recovered === true), JSON.stringify(resubscribes));
  });
});
