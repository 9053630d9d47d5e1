// A stand-in server speaking the Hubbub wire protocol from a script, for the frames the real server sends only
// in rare conditions (close codes 4403 and 1000, duplicate offsets, stream_reset). Everything else is tested
// against the real server.
import { WebSocketServer } from 'ws';

export class ScriptedServer {
  /** @param {(socket: import('ws').WebSocket, index: number, frames: object[]) => void} onConnection */
  constructor(onConnection) {
    this.connections = 0;
    this.received = [];
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.wss.on('connection', (socket) => {
      const index = this.connections++;
      socket.on('message', (raw) => this.received.push(JSON.parse(raw.toString())));
      onConnection(socket, index);
    });
  }

  get wsUrl() { return `ws://127.0.0.1:${this.wss.address().port}/ws`; }

  listening() {
    return new Promise((resolve) => (this.wss.address() ? resolve() : this.wss.once('listening', resolve)));
  }

  close() {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

export function welcome(socket, heartbeatMs = 25_000) {
  socket.send(JSON.stringify({
    type: 'welcome',
    data: { client: 'c1', user: '1', name: 'one', heartbeat_ms: heartbeatMs, node: 'scripted', version: '0.0.0', limits: {} },
  }));
}

/** Resolves with the next client frame of `type` the server receives (bounded). */
export async function receivedFrame(server, type, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const frame = server.received.find((f) => f.type === type && !f._seen);
    if (frame) {
      frame._seen = true;
      return frame;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no '${type}' frame within ${ms} ms`);
}
