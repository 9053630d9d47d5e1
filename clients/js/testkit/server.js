// Starts the real Hubbub server (the Release build) as a child process on a free loopback port, for tests.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const serverDll = path.join(repo, 'src/Hubbub.Server/bin/Release/net10.0/Hubbub.Server.dll');

// Each server keeps its database in a folder of its own (kept across restarts), removed when the tests end.
const dataDirs = new Set();
process.once('exit', () => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

// The first port of the kernel's ephemeral range (Linux; 32768 where it cannot be read).
const ephemeralStart = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
})();

function probe(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(0));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A free TCP port on 127.0.0.1 for a server started next, taken below the kernel's ephemeral range: a port the kernel
 * hands out may become the local port of another suite's client connection before the server listens on it.
 */
export async function freePort() {
  for (let attempt = 0; ephemeralStart > 12000 && attempt < 100; attempt++) {
    const port = await probe(10000 + Math.floor(Math.random() * (ephemeralStart - 10000)));
    if (port) return port;
  }
  return probe(0);
}

/** Signs an HS256 JWT the way the server checks it. */
export function signToken(key, claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = { exp: Math.floor(Date.now() / 1000) + 3600, ...claims };
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(body)}`;
  const signature = createHmac('sha256', Buffer.from(key, 'utf8')).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

/**
 * A running server process. `start()` spawns it and waits (bounded) for /healthz; `stop()` kills it and waits
 * for the exit. `restart()` keeps the port, so clients reconnect to "the same server" with a new memory.
 */
export class ServerProcess {
  constructor({ env = {} } = {}) {
    this.signingKey = randomBytes(24).toString('hex');
    this.apiKey = randomBytes(12).toString('hex');
    this.extraEnv = env;
    this.port = 0;
    this.child = null;
    this.output = '';
  }

  get httpUrl() { return `http://127.0.0.1:${this.port}`; }
  get wsUrl() { return `ws://127.0.0.1:${this.port}/ws`; }

  token(user, name = `user ${user}`, extra = {}) {
    return signToken(this.signingKey, { sub: String(user), name, ...extra });
  }

  async start() {
    if (!existsSync(serverDll)) {
      throw new Error(`server build missing: ${serverDll} (run: dotnet build src/Hubbub.Server -c Release)`);
    }
    if (!this.port) this.port = await freePort();
    if (!this.dataDir && !this.extraEnv.Hubbub__DataDirectory) {
      this.dataDir = mkdtempSync(path.join(tmpdir(), 'hubbub-js-server-'));
      dataDirs.add(this.dataDir);
    }
    const child = spawn('dotnet', [serverDll, '--urls', this.httpUrl], {
      env: {
        ...process.env,
        Auth__SigningKey: this.signingKey,
        Auth__ApiKey: this.apiKey,
        ASPNETCORE_ENVIRONMENT: 'Production',
        DOTNET_NOLOGO: '1',
        ...(this.dataDir ? { Hubbub__DataDirectory: this.dataDir } : {}),
        ...this.extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (d) => { this.output = (this.output + d).slice(-20_000); });
    child.stderr.on('data', (d) => { this.output = (this.output + d).slice(-20_000); });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this._exited = exited;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${this.output}`);
      try {
        const res = await fetch(`${this.httpUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server did not become healthy within 30 s:\n${this.output}`);
  }

  /** Kills the process (SIGKILL unless told otherwise) and waits for it to exit (bounded). */
  async stop(signal = 'SIGKILL') {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    let timer;
    const timeout = new Promise((r) => { timer = setTimeout(r, 15_000); });
    await Promise.race([this._exited, timeout]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.child = null;
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  /** POST /api/publish as a backend would. */
  async publish(channel, data, type) {
    const res = await fetch(`${this.httpUrl}/api/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
      body: JSON.stringify({ channel, type, data }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
    return res.json();
  }
}
