/**
 * Requests as an application makes them, for the data-path tests: HTTP with a Host
 * header (as an app that resolved a service name), and gRPC with an authority. Run
 * inside a workload by apps/workload.ts, or by the test itself.
 */
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import { who } from '../../e2e/support/backends.js';

export interface HttpCall {
  url: string;
  host?: string;
  headers?: Record<string, string>;
  count?: number;
  concurrency?: number;
  timeoutMs?: number;
  /** A connection of its own (else a kept-alive one may be reused). */
  newConnection?: boolean;
}

export interface CallResult {
  status: number;
  node?: string;
  instance?: string;
  ms: number;
  error?: string;
  body?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function httpOnce(c: HttpCall): Promise<CallResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      c.url,
      {
        agent: c.newConnection ? false : agent,
        headers: { ...(c.host ? { host: c.host } : {}), ...(c.headers ?? {}) },
        timeout: c.timeoutMs ?? 30_000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          const ms = performance.now() - started;
          let who: { node?: string; instance?: string } = {};
          try {
            who = JSON.parse(body) as typeof who;
          } catch {
            // Envoy's own answers (504, 503) are text
          }
          resolve({ status: res.statusCode ?? 0, ms, ...who, body: body.slice(0, 300) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (e) => resolve({ status: 0, ms: performance.now() - started, error: e.message }));
    req.end();
  });
}

/** `count` requests, `concurrency` at a time; results in completion order. */
export function httpCalls(c: HttpCall): Promise<CallResult[]> {
  return many(c.count ?? 1, c.concurrency ?? 1, () => httpOnce(c));
}

async function many<T>(count: number, concurrency: number, one: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      out.push(await one());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

export interface GrpcCall {
  target: string;
  authority: string;
  count?: number;
}

export async function grpcCalls(c: GrpcCall): Promise<CallResult[]> {
  const client = new grpc.Client(c.target, grpc.credentials.createInsecure(), {
    'grpc.default_authority': c.authority,
  });
  try {
    return await many(c.count ?? 1, 4, async () => {
      const started = performance.now();
      try {
        const answer = await who(client, 10_000);
        return { status: 0, ms: performance.now() - started, ...(JSON.parse(answer) as object) };
      } catch (e) {
        const err = e as grpc.ServiceError;
        return { status: err.code, ms: performance.now() - started, error: err.details };
      }
    });
  } finally {
    client.close();
  }
}
