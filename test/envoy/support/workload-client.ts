/** Starts `apps/workload.ts` (in a lab workload, or on the host) and drives it over its control socket. */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CallResult, GrpcCall, HttpCall } from '../apps/calls.js';
import { launchOnHost, type Launch } from './envoy-process.js';
import type { NetLab, Workload } from './netns.js';

export type { CallResult } from '../apps/calls.js';

const APP = fileURLToPath(new URL('../apps/workload.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

export interface AppOptions {
  readonly role: 'backend' | 'caller';
  readonly node?: string;
  readonly instance?: string;
  readonly httpPort?: number;
  readonly grpcPort?: number;
  /** `ip:port,…` of plain HTTP servers outside the mesh, served by this app. */
  readonly external?: string;
  /** Where the backend listens (default 0.0.0.0). */
  readonly bind?: string;
}

export type Behaviour = {
  failNext?: Record<string, number>;
  failAll?: number;
  failStatus?: number;
  health?: 'ok' | 'fail';
};

/** Starts processes inside a lab workload (as root, like the app containers). */
export function inWorkload(lab: NetLab, w: Workload): Launch {
  return (command, args, logFile) => lab.spawn(w, command, args, { logFile });
}

export const onHost: Launch = launchOnHost;

export class WorkloadApp {
  readonly control: string;
  readonly logFile: string;
  readonly proc: ChildProcess;

  constructor(
    launch: Launch,
    readonly name: string,
    dir: string,
    o: AppOptions,
  ) {
    this.control = path.join(dir, `${name}-app.sock`);
    this.logFile = path.join(dir, `${name}-app.log`);
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
      ...(o.bind ? ['--bind', o.bind] : []),
    ];
    this.proc = launch(process.execPath, args, this.logFile);
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
      req.on('timeout', () => req.destroy(new Error(`${this.name} ${url}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** SIGTERM; resolves when the process has gone. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGTERM');
    await gone;
  }

  async ready(): Promise<void> {
    await this.request('GET', '/ready', undefined, 2_000);
  }

  behave(b: Behaviour): Promise<unknown> {
    return this.request('POST', '/behave', b);
  }

  seen(): Promise<Array<{ path: string; status: number; at: number }>> {
    return this.request('GET', '/seen') as Promise<Array<{ path: string; status: number; at: number }>>;
  }

  http(call: HttpCall): Promise<CallResult[]> {
    return this.request('POST', '/http', call) as Promise<CallResult[]>;
  }

  grpc(call: GrpcCall): Promise<CallResult[]> {
    return this.request('POST', '/grpc', call) as Promise<CallResult[]>;
  }
}
