// One real server behind a ToxicProxy (refuse / cut / freeze the network), with a pool of clients closed after
// each test. Call inside a describe: the hooks belong to that suite.
import { before, after, afterEach } from 'node:test';
import { ServerProcess } from './server.js';
import { ToxicProxy } from './proxy.js';
import { ClientPool } from './clients.js';

/**
 * @param {{env?: Record<string, string>}} [serverOptions] passed to ServerProcess
 * @returns {{server: ServerProcess, pool: ClientPool, readonly proxy: ToxicProxy}}
 */
export function serverBehindProxy(serverOptions) {
  const server = new ServerProcess(serverOptions);
  const pool = new ClientPool();
  let proxy;
  before(async () => {
    await server.start();
    proxy = new ToxicProxy(server.port);
    await proxy.listen();
  });
  after(async () => {
    pool.closeAll();
    await proxy?.close();
    await server.stop();
  });
  afterEach(() => {
    pool.closeAll();
    proxy?.pass();
  });
  return { server, pool, get proxy() { return proxy; } };
}
