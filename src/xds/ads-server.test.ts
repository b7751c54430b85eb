import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { XdsServer } from './ads-server.js';
import { SnapshotCache } from './snapshot-cache.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let server: XdsServer | undefined;

afterEach(async () => {
  await server?.close(100);
  server = undefined;
});

type GetServersCall = Parameters<ReturnType<typeof grpc.getChannelzHandlers>['GetServers']>[0];

/** Servers grpc-js's channelz registry holds in this process. */
function channelzServers(): Promise<number> {
  const call = { request: { start_server_id: '0', max_results: '100000' } } as unknown as GetServersCall;
  return new Promise((resolve, reject) =>
    grpc.getChannelzHandlers().GetServers(call, (err, value) => {
      if (err) reject(err as Error);
      else resolve(value?.server?.length ?? 0);
    }),
  );
}

describe('XdsServer gRPC options', () => {
  it('leaves channelz off: no registry entries (and per-connection state) for a server that serves none', async () => {
    const before = await channelzServers();
    server = new XdsServer({ cache: new SnapshotCache(), logger: quiet });
    await server.listen('127.0.0.1', 0);
    expect(await channelzServers()).toBe(before);
  });

  it('lets grpcOptions turn it on again', async () => {
    const before = await channelzServers();
    server = new XdsServer({
      cache: new SnapshotCache(),
      logger: quiet,
      grpcOptions: { 'grpc.enable_channelz': 1 },
    });
    await server.listen('127.0.0.1', 0);
    expect(await channelzServers()).toBe(before + 1);
  });
});
