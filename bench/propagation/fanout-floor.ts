/**
 * The fan-out floor: a bare @grpc/grpc-js ADS server that writes the responses Amime
 * sent (capture.ts), byte for byte, to the same load client — gRPC and HTTP/2 alone,
 * with no cache, versioning or subscription logic. A `change` writes round r's route
 * configuration response of each stream's node to every stream.
 */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { RAW_ADS_SERVICE } from './ads-raw.js';
import { readCapture } from './capture.js';
import { onMessage, send } from './ipc.js';

/** The DiscoveryRequest fields the floor reads; protobufjs skips the rest. */
const RequestHead = protobuf.Type.fromJSON('RequestHead', {
  fields: {
    node: { type: 'NodeHead', id: 2 },
    type_url: { type: 'string', id: 4 },
    response_nonce: { type: 'string', id: 5 },
  },
  nested: { NodeHead: { fields: { id: { type: 'string', id: 1 } } } },
});

function main(): void {
  const file = process.argv.find((a) => a.startsWith('--capture='))!.slice('--capture='.length);
  const initial = new Map<string, Map<string, Buffer>>();
  const rounds = new Map<number, Map<string, Buffer>>();
  for (const c of readCapture(file)) {
    const table = c.round === 0 ? initial : rounds;
    const key = c.round === 0 ? c.nodeId : c.round;
    let m = (table as Map<string | number, Map<string, Buffer>>).get(key);
    if (!m) (table as Map<string | number, Map<string, Buffer>>).set(key, (m = new Map()));
    // Initial: the last response of each type; a round: the node's response in it.
    m.set(c.round === 0 ? c.typeUrl : c.nodeId, c.response);
  }
  const streams: Array<{ call: grpc.ServerDuplexStream<Buffer, Buffer>; node: string }> = [];
  const server = new grpc.Server();
  server.addService(RAW_ADS_SERVICE, {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      const s = { call, node: '' };
      streams.push(s);
      call.on('data', (buf: Buffer) => {
        const r = RequestHead.decode(buf) as unknown as {
          node?: { id?: string };
          type_url?: string;
          response_nonce?: string;
        };
        if (r.node?.id) s.node = r.node.id;
        if (r.response_nonce) return; // an ACK
        const body = initial.get(s.node)?.get(r.type_url ?? '');
        if (body) call.write(body);
      });
      call.on('error', () => {});
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => {
    if (e) throw e;
    send({ type: 'listening', port });
  });
  onMessage((m) => {
    if (m.type === 'change') {
      const bodies = rounds.get(m.round as number);
      if (!bodies) throw new Error(`no captured responses for round ${String(m.round)}`);
      for (const s of streams) {
        const b = bodies.get(s.node);
        if (b) s.call.write(b);
      }
    } else if (m.type === 'exit') {
      server.forceShutdown();
      process.exit(0);
    }
  });
}

main();
