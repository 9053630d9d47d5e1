// The SDK in a real browser (headless Chromium): a page on another origin imports it from the server's
// /sdk/hubbub.js, survives a refused first token (the browser hides the WebSocket's 401; the HTTP fallback, tried
// next with the same token, sees it, and getToken is asked again), subscribes, publishes and receives.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServerProcess } from '../testkit/server.js';
import { until } from '../testkit/wait.js';

const chromiumPath = process.env.HUBBUB_CHROMIUM || '/usr/bin/chromium';

function page(server) {
  const good = server.token(31, 'Browser');
  return `<!doctype html><meta charset="utf-8"><title>hubbub sdk</title>
<script type="module">
  const report = (o) => fetch('/result', { method: 'POST', body: JSON.stringify(o) });
  try {
    const { HubbubClient } = await import('${server.httpUrl}/sdk/hubbub.js');
    const tokens = ['refused.by.server', '${good}'];
    let calls = 0;
    const events = [];
    const client = new HubbubClient('${server.wsUrl}', {
      getToken: async () => tokens[Math.min(calls++, 1)],
      backoffBaseMs: 50,
    });
    client.on('disconnected', (d) => events.push('disconnected:' + d.code));
    client.on('auth_failed', (a) => events.push('auth_failed:' + a.status));
    client.on('transport_fallback', (f) => events.push('fallback:' + f.to));
    const got = [];
    const sub = client.subscribe('public:browser', {
      message: (p) => {
        got.push(p.data.from);
        if (got.length === 2) report({ step: 'done', got, calls, events, user: client.welcome.user, transport: client.transport });
      },
    });
    await client.connect();
    await sub.ready();
    await sub.publish({ from: 'browser' });
    report({ step: 'ready' });
  } catch (err) {
    report({ step: 'failed', error: String(err && err.stack || err) });
  }
</script>`;
}

describe('in a real browser', { timeout: 90_000 }, () => {
  let server;
  let pageServer;
  let browser;
  let profile;
  const results = [];

  before(async () => {
    pageServer = http.createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/result') {
        let body = '';
        req.on('data', (d) => { body += d; });
        req.on('end', () => { results.push(JSON.parse(body)); res.end(); });
        return;
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page(server));
    });
    await new Promise((r) => pageServer.listen(0, '127.0.0.1', r));
    const pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
    server = new ServerProcess({ env: { Auth__AllowedOrigins__0: pageOrigin } });
    await server.start();
  });

  after(async () => {
    if (browser && browser.exitCode === null && browser.signalCode === null) {
      // Wait for Chromium to be gone before removing its profile: it writes there until it exits.
      const exited = new Promise((r) => browser.once('exit', r));
      browser.kill('SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    }
    if (pageServer) {
      pageServer.closeAllConnections();
      await new Promise((r) => pageServer.close(() => r()));
    }
    await server?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  it('imports the SDK from /sdk/hubbub.js, retries a refused token with getToken, and publishes/receives', { timeout: 60_000 }, async () => {
    assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath} (test.sh installs it)`);
    profile = mkdtempSync(path.join(tmpdir(), 'hubbub-chromium-'));
    browser = spawn(chromiumPath, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${profile}`, `http://127.0.0.1:${pageServer.address().port}/`,
    ], { stdio: 'ignore' });

    await until(() => results.some((r) => r.step === 'ready' || r.step === 'failed'), 40_000, 'the page connected');
    const failed = results.find((r) => r.step === 'failed');
    assert.equal(failed, undefined, failed?.error);
    await server.publish('public:browser', { from: 'api' });
    const done = await until(() => results.find((r) => r.step === 'done'), 15_000, 'the page received both');
    assert.deepEqual(done.got, ['browser', 'api']);
    assert.equal(done.user, '31');
    assert.equal(done.calls, 2, 'getToken was asked again after the refused handshake');
    // The WebSocket's 401 is a plain failure to the browser; the fallback, with the same token, sees the status.
    assert.deepEqual(done.events, ['fallback:sse', 'auth_failed:401', 'disconnected:1006']);
    // The next attempt, with the good token, starts again with the WebSocket: a refused token does not pin the page to the fallback.
    assert.equal(done.transport, 'websocket');
  });
});
