// A TCP proxy between the client and the server, so tests can cut, refuse or freeze the network for real:
// `cut()` destroys every open connection (the client sees an abnormal close), `refuse()` accepts and drops
// new connections (handshake failures), `freeze()` stops forwarding without closing (a dead peer).
import net from 'node:net';

export class ToxicProxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.mode = 'pass'; // pass | refuse | freeze
    /** When true, a connection whose first request is a WebSocket upgrade is answered 403 (a proxy that bans them). */
    this.blockWebSockets = false;
    this.refusedUpgrades = 0;
    this.pairs = new Set();
    this.accepted = 0;
    this.server = net.createServer((client) => this._onConnection(client));
  }

  get port() { return this.server.address().port; }
  get wsUrl() { return `ws://127.0.0.1:${this.port}/ws`; }

  listen() {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  _onConnection(client) {
    this.accepted++;
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forward = (from, to) => from.on('data', (chunk) => {
      if (this.mode !== 'freeze') to.write(chunk);
    });
    if (this.blockWebSockets) {
      client.once('data', (first) => {
        const head = first.toString('latin1').split('\r\n\r\n')[0];
        if (/^upgrade:\s*websocket/im.test(head)) {
          this.refusedUpgrades++;
          upstream.destroy();
          client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        upstream.write(first);
        forward(client, upstream);
      });
    } else {
      forward(client, upstream);
    }
    forward(upstream, client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  /** Destroys every open connection. */
  cut() {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  refuse() { this.mode = 'refuse'; }
  freeze() { this.mode = 'freeze'; }
  pass() { this.mode = 'pass'; }

  close() {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
