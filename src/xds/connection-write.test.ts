/**
 * What Connection.sendCopies relies on in @grpc/grpc-js (pinned in package-lock): a
 * server stream's write() frames the message into a buffer of its own before it returns
 * when nothing is pending on the stream, so the caller may reuse its buffer at once; when
 * an earlier write is still pending, the stream's Writable queues the caller's buffer
 * itself and frames it later, so it must not be reused.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';

const identity = (b: Buffer): Buffer => b;
const PATH = '/amime.test.Echo/Chat';
const SERVICE: grpc.ServiceDefinition = {
  Chat: {
    path: PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

let server: grpc.Server | undefined;
let client: grpc.Client | undefined;

afterEach(() => {
  client?.close();
  server?.forceShutdown();
  client = server = undefined;
});

/**
 * Serves one stream: on the client's first message, `onFirst` writes and mutates;
 * resolves to the messages the client received (as strings) once it has `count`.
 */
async function exchange(
  count: number,
  onFirst: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => void,
): Promise<string[]> {
  server = new grpc.Server();
  server.addService(SERVICE, {
    Chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => call.once('data', () => onFirst(call)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const stream = client.makeBidiStreamRequest(PATH, identity, identity);
  const got: string[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (b: Buffer) => {
      got.push(b.toString());
      if (got.length === count) {
        stream.cancel();
        resolve(got);
      }
    });
    stream.on('error', (e: grpc.ServiceError) => {
      if (e.code !== grpc.status.CANCELLED) reject(e);
    });
    stream.write(Buffer.from('hello'));
  });
}

describe('grpc-js server stream writes', () => {
  it('are framed into a buffer of their own inside write() when nothing is pending', async () => {
    const got = await exchange(2, (call) => {
      const scratch = Buffer.from('first');
      expect(call.writableLength).toBe(0);
      call.write(scratch);
      scratch.write('xxxxx'); // reused at once, as a lent body is
      call.write(Buffer.from('second'));
    });
    expect(got).toEqual(['first', 'second']);
  });

  it('are queued as the caller gave them while an earlier write is pending', async () => {
    const got = await exchange(2, (call) => {
      call.write(Buffer.from('first'));
      expect(call.writableLength).toBeGreaterThan(0); // the first write completes only once sent
      const later = Buffer.from('later');
      call.write(later);
      later.write('xxxxx');
    });
    expect(got).toEqual(['first', 'xxxxx']); // the queued buffer was read after the change
  });
});
