/**
 * `bareRouteWriteServer` in a process of its own, as `amime serve` is: the floor's client
 * then crosses processes like Amime's does. Argument: the SQLite store's directory (seeded
 * by the parent). Sends `{type: 'ready', url}`; exits on `{type: 'exit'}`.
 */
import { createStore } from '../../src/store/index.js';
import { bareRouteWriteServer } from './bare-write.js';
import { onMessage, send } from './ipc.js';

const store = createStore({ kind: 'sqlite', dataDir: process.argv[2]! });
const server = await bareRouteWriteServer(store);
onMessage(async (m) => {
  if (m.type !== 'exit') return;
  await server.close();
  await store.close();
  process.exit(0);
});
send({ type: 'ready', url: server.url });
