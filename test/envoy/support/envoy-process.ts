/**
 * A real Envoy for a test: its bootstrap written to a folder of its own, its admin
 * interface on a Unix socket in that folder (reachable from the test whatever network
 * namespace Envoy runs in), its output in `envoy.log` there. `launch` may start it
 * elsewhere (another network namespace, another user).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { JsonObject } from './static-bootstrap.js';

export interface EnvoyOptions {
  readonly envoy: string;
  readonly bootstrap: JsonObject;
  /** Parent folder; the Envoy's own folder `<dir>/<name>` is made here. */
  readonly dir: string;
  readonly name: string;
  /** Starts the command with its output appended to `logFile`; default: a plain child process. */
  readonly launch?: Launch | undefined;
  readonly logLevel?: string;
  readonly extraArgs?: readonly string[];
}

/** Starts `command` somewhere (a network namespace, the host), its output appended to `logFile`. */
export type Launch = (command: string, args: readonly string[], logFile: string) => ChildProcess;

export class EnvoyProcess {
  readonly home: string;
  readonly adminSocket: string;
  readonly logFile: string;
  private readonly proc: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(options: EnvoyOptions) {
    this.home = path.join(options.dir, options.name);
    mkdirSync(this.home, { recursive: true });
    // Envoy may run as another user: it must be able to create its admin socket and logs here.
    chmodSync(this.home, 0o777);
    this.adminSocket = path.join(this.home, 'admin.sock');
    this.logFile = path.join(this.home, 'envoy.log');
    const config = path.join(this.home, 'envoy.json');
    writeFileSync(
      config,
      JSON.stringify({ ...options.bootstrap, admin: this.admin(options.bootstrap) }, null, 1),
    );
    const envoyArgs = [
      '-c',
      config,
      '--disable-hot-restart',
      '--concurrency',
      '1',
      '-l',
      options.logLevel ?? 'info',
      '--drain-time-s',
      '1',
      ...(options.extraArgs ?? []),
    ];
    // Envoy reopens /dev/stdout (the outlier event log, access logs): as another user too.
    writeFileSync(this.logFile, '');
    chmodSync(this.logFile, 0o666);
    this.proc = (options.launch ?? launchOnHost)(options.envoy, envoyArgs, this.logFile);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code) => resolve(code));
      this.proc.once('error', () => resolve(null));
    });
  }

  /** The bootstrap's admin block, moved to this Envoy's socket, its access log into this Envoy's folder. */
  private admin(bootstrap: JsonObject): JsonObject {
    const own = (bootstrap.admin ?? {}) as JsonObject;
    const logs = (own.access_log as JsonObject[] | undefined)?.map((l) => ({
      ...l,
      typed_config: { ...(l.typed_config as JsonObject), path: path.join(this.home, 'admin-access.log') },
    }));
    return {
      ...own,
      ...(logs ? { access_log: logs } : {}),
      address: { pipe: { path: this.adminSocket, mode: 0o666 } },
    };
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** GET on the admin interface; rejects on a non-2xx answer. */
  get(pathAndQuery: string, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        { socketPath: this.adminSocket, path: pathAndQuery, timeout: timeoutMs },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () =>
            (res.statusCode ?? 500) < 300
              ? resolve(body)
              : reject(new Error(`${pathAndQuery}: ${res.statusCode} ${body}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${pathAndQuery}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
    });
  }

  post(pathAndQuery: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { socketPath: this.adminSocket, path: pathAndQuery, method: 'POST' },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** Counters and gauges of `/stats` (histograms left out). */
  async stats(filter?: string): Promise<Map<string, number>> {
    const text = await this.get(`/stats${filter ? `?filter=${encodeURIComponent(filter)}` : ''}`);
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^(\S+): (\d+)$/.exec(line);
      if (m) out.set(m[1]!, Number(m[2]));
    }
    return out;
  }

  async configDump(query = ''): Promise<ConfigDump> {
    return JSON.parse(await this.get(`/config_dump${query}`)) as ConfigDump;
  }

  /** SIGTERM, then SIGKILL if it has not gone after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.running) this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface ConfigDump {
  configs: Array<{ '@type': string } & Record<string, unknown>>;
}

/** Output to a file, not a pipe: configurations log to /dev/stdout, which Envoy reopens. */
export function launchOnHost(command: string, args: readonly string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  closeSync(fd);
  return child;
}

/** Resources of one kind in a config_dump, by name: what Envoy holds (active or warming). */
export function dumpedNames(
  dump: ConfigDump,
): Record<'listeners' | 'clusters' | 'routes' | 'endpoints' | 'secrets', string[]> {
  const of = (suffix: string) =>
    dump.configs.find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${suffix}`) ?? {};
  const names = (list: unknown, inner: string): string[] =>
    ((list as Array<Record<string, Record<string, unknown>>> | undefined) ?? [])
      .map((e) => String(e[inner]?.name ?? ''))
      .filter(Boolean);
  const listeners = of('ListenersConfigDump') as Record<string, unknown>;
  const clusters = of('ClustersConfigDump') as Record<string, unknown>;
  const routes = of('RoutesConfigDump') as Record<string, unknown>;
  const secrets = of('SecretsConfigDump') as Record<string, unknown>;
  const endpoints = of('EndpointsConfigDump') as Record<string, unknown>;
  const dynListeners = (listeners.dynamic_listeners as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    listeners: dynListeners.map((l) => String(l.name)),
    clusters: [
      ...names(clusters.dynamic_active_clusters, 'cluster'),
      ...names(clusters.dynamic_warming_clusters, 'cluster'),
    ],
    routes: names(routes.dynamic_route_configs, 'route_config'),
    endpoints: (
      (endpoints.dynamic_endpoint_configs as
        Array<{ endpoint_config?: { cluster_name?: string } }> | undefined) ?? []
    )
      .map((e) => e.endpoint_config?.cluster_name ?? '')
      .filter(Boolean),
    secrets: [
      ...((secrets.dynamic_active_secrets as Array<{ name: string }> | undefined) ?? []).map((s) => s.name),
      ...((secrets.dynamic_warming_secrets as Array<{ name: string }> | undefined) ?? []).map((s) => s.name),
    ],
  };
}
