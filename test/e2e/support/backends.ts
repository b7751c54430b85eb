/**
 * Tiny gRPC backends that answer "which backend am I", without a .proto: one
 * unary method with raw-bytes serializers on both sides.
 */
import * as grpc from '@grpc/grpc-js';

export const WHO_PATH = '/amime.test.WhoAmI/Who';

const raw = (b: Buffer): Buffer => b;

export const WHO_SERVICE: grpc.ServiceDefinition = {
  Who: {
    path: WHO_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
};

export interface Backend {
  readonly name: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startBackend(name: string): Promise<Backend> {
  const server = new grpc.Server();
  server.addService(WHO_SERVICE, {
    Who: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      cb(null, Buffer.from(name)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return {
    name,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

/** Calls `Who` once; resolves to the backend's name. */
export function who(client: grpc.Client, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      WHO_PATH,
      raw,
      raw,
      Buffer.alloc(0),
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err: grpc.ServiceError | null, res?: Buffer) => (err ? reject(err) : resolve(res!.toString())),
    );
  });
}

/** `count` calls, `concurrency` at a time; returns name → count. */
export async function tally(
  client: grpc.Client,
  count: number,
  concurrency = 25,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const name = await who(client);
      out[name] = (out[name] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
