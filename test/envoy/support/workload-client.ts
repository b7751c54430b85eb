/** Starts `apps/workload.ts` inside a lab workload and drives it over its control socket. */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CallResult } from '../apps/workload.js';
import type { NetLab, Workload } from './netns.js';

export type { CallResult } from '../apps/workload.js';

const APP = fileURLToPath(new URL('../apps/workload.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

export interface AppOptions {
  readonly role: 'backend' | 'caller';
  readonly node?: string;
  readonly instance?: string;
  readonly httpPort?: number;
  readonly grpcPort?: number;
  /** `ip:port` of a plain HTTP server outside the mesh, served by this app. */
  readonly external?: string;
}

export class WorkloadApp {
  readonly control: string;
  readonly logFile: string;
  readonly proc: ChildProcess;

  constructor(
    lab: NetLab,
    readonly workload: Workload,
    dir: string,
    o: AppOptions,
  ) {
    this.control = path.join(dir, `${workload.name}-app.sock`);
    this.logFile = path.join(dir, `${workload.name}-app.log`);
    const args = [
      '--import',
      TSX,
      APP,
      '--role',
      o.role,
      '--control',
      this.control,
      ...(o.node ? ['--node', o.node] : []),
      ...(o.instance ? ['--instance', o.instance] : []),
      ...(o.httpPort ? ['--http', String(o.httpPort)] : []),
      ...(o.grpcPort ? ['--grpc', String(o.grpcPort)] : []),
      ...(o.external ? ['--external', o.external] : []),
    ];
    this.proc = lab.spawn(workload, process.execPath, args, {
      logFile: this.logFile,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  }

  private request(
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
    timeoutMs = 120_000,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.control,
          path: url,
          method,
          timeout: timeoutMs,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(JSON.parse(text))
              : reject(new Error(`${url}: ${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${this.workload.name} ${url}: no answer in ${timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async ready(): Promise<void> {
    await this.request('GET', '/ready', undefined, 2_000);
  }

  behave(b: {
    failNext?: Record<string, number>;
    failAll?: number;
    failStatus?: number;
    health?: 'ok' | 'fail';
  }): Promise<unknown> {
    return this.request('POST', '/behave', b);
  }

  seen(): Promise<Array<{ path: string; status: number; at: number }>> {
    return this.request('GET', '/seen') as Promise<Array<{ path: string; status: number; at: number }>>;
  }

  http(call: {
    url: string;
    host?: string;
    headers?: Record<string, string>;
    count?: number;
    concurrency?: number;
    timeoutMs?: number;
    newConnection?: boolean;
  }): Promise<CallResult[]> {
    return this.request('POST', '/http', call) as Promise<CallResult[]>;
  }

  grpc(call: { target: string; authority: string; count?: number }): Promise<CallResult[]> {
    return this.request('POST', '/grpc', call) as Promise<CallResult[]>;
  }
}
