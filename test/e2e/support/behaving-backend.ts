/**
 * A gRPC backend for route-policy tests: answers `Who` with its name, and on request
 * (metadata) sleeps before answering or fails the first attempts with UNAVAILABLE,
 * counting every attempt it sees.
 */
import * as grpc from '@grpc/grpc-js';
import { WHO_PATH } from './backends.js';

const raw = (b: Buffer): Buffer => b;

export interface BehavingBackend {
  readonly name: string;
  readonly port: number;
  /** Attempts seen per `x-attempt-key`. */
  readonly attempts: Map<string, number>;
  close(): void;
}

export async function startBehavingBackend(name: string): Promise<BehavingBackend> {
  const attempts = new Map<string, number>();
  const server = new grpc.Server();
  server.addService(
    {
      Who: {
        path: WHO_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      Who: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const md = call.metadata;
        const key = md.get('x-attempt-key')[0]?.toString();
        if (key) attempts.set(key, (attempts.get(key) ?? 0) + 1);
        const failFirst = Number(md.get('x-fail-first')[0]?.toString() ?? 0);
        if (key && (attempts.get(key) ?? 0) <= failFirst) {
          cb({
            code: grpc.status.UNAVAILABLE,
            details: `${name}: failing attempt ${attempts.get(key)} on purpose`,
          });
          return;
        }
        const delay = Number(md.get('x-delay-ms')[0]?.toString() ?? 0);
        setTimeout(() => cb(null, Buffer.from(name)), delay);
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { name, port, attempts, close: () => server.forceShutdown() };
}

/** One call with metadata; resolves to the backend name or rejects with the gRPC error. */
export function whoWith(
  client: grpc.Client,
  metadata: Record<string, string>,
  timeoutMs = 5000,
): Promise<string> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      WHO_PATH,
      raw,
      raw,
      Buffer.alloc(0),
      md,
      { deadline: Date.now() + timeoutMs },
      (err: grpc.ServiceError | null, res?: Buffer) => (err ? reject(err) : resolve(res!.toString())),
    );
  });
}
