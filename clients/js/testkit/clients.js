// Creates SDK clients wired to the ws package and closes them all after each test.
import WebSocket from 'ws';
import { HubbubClient } from '../src/hubbub.js';

export class ClientPool {
  constructor() { this.clients = []; }

  create(url, options) {
    const client = new HubbubClient(url, { WebSocket, ...options });
    this.clients.push(client);
    return client;
  }

  closeAll() {
    for (const c of this.clients.splice(0)) c.close();
  }
}
