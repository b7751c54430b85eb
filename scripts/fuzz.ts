/**
 * `npm run fuzz`: generated input against a running `amime serve` (memory store, the
 * seed mesh loaded), from fast-check arbitraries:
 *
 * - REST: every one of the 38 operations with generated path names (existing ones,
 *   long, unicode, percent-garbage, NUL), query values and bodies (specs generated
 *   from the API schema then mutated, arbitrary JSON, deep nesting, invalid JSON),
 *   sometimes a wrong method;
 * - xDS: SotW and delta streams with generated DiscoveryRequests (known and unknown
 *   type URLs, node ids valid and not, names, nonces, NACKs) and raw garbage frames.
 *
 * Passes with: the server still running, no 5xx but a store failure (503), every REST
 * answer carrying `x-amzn-requestid`, and the server's RSS under FUZZ_MAX_RSS_MB (600).
 * Prints its figures. FUZZ_N (default 100,000) requests in all, half each; FUZZ_SEED.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { API_KIND_INFO, API_KINDS } from '../src/model/api-form/index.js';
import { OPERATIONS, type OperationSpec } from '../src/api/operations.js';
import { messageType } from '../src/proto/index.js';
import { TYPE_URL } from '../src/xds/index.js';
import { arbitrary as fromSchema, seededRandom } from '../test/support/api-form-arbitrary.js';

const N = Number(process.env.FUZZ_N ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const MAX_RSS_MB = Number(process.env.FUZZ_MAX_RSS_MB ?? 600);
const CONCURRENCY = 32;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ── the server ──────────────────────────────────────────────────────────────

interface Server {
  api: string;
  xdsPort: number;
  pid: number;
  exited: () => boolean;
  stderr: () => string;
  stop: () => Promise<void>;
}

async function startServer(dir: string): Promise<Server> {
  const config = path.join(dir, 'config.yaml');
  // The rate limiter would answer most of a fuzz run with 429s; it has its own tests.
  writeFileSync(config, 'api:\n  requestsPerSecond: 100000000\n');
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'src/cli/main.ts'),
      'serve',
      '-c',
      config,
      '--store',
      'memory',
      '--api-listen',
      '127.0.0.1:0',
      '--xds-listen',
      '127.0.0.1:0',
      '--log-level',
      'warn',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let stderr = '';
  let out = '';
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const ready = await new Promise<{ api: string; xds: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`amime serve did not start:\n${stderr}`)), 60_000);
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('amime is serving')) continue;
        const entry = JSON.parse(line) as { api: string; xds: string };
        clearTimeout(timer);
        resolve(entry);
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
    proc.once('exit', (code) => reject(new Error(`amime serve exited with ${code}:\n${stderr}`)));
  });
  return {
    api: ready.api,
    xdsPort: Number(ready.xds.split(':').pop()),
    pid: proc.pid as number,
    exited: () => proc.exitCode !== null || proc.signalCode !== null,
    stderr: () => stderr,
    stop: async () => {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

function rssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return NaN;
  }
}

// ── REST input ──────────────────────────────────────────────────────────────

const SEED_NAMES = ['mesh-1', 'vnode-1_mesh-test', 'vrouter-1_mesh-test', 'route-1', 'svc-v.mesh-test'];
const name = fc.oneof(
  fc.constantFrom(...SEED_NAMES),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 0, maxLength: 40 }),
  fc.integer({ min: 90, max: 300 }).map((n) => 'n'.repeat(n)),
  fc.constantFrom('a\u0000b', '..', '%', '%ZZ', '%00', 'a/b', ' ', '\u202e', '🙂'.repeat(70)),
);
const segment = name.map((n) => (/^%/.test(n) ? n : encodeURIComponent(n)));

const spec = fc.oneof(
  // A plausible spec of some kind, then changed at one random place.
  fc
    .tuple(
      fc.constantFrom(...API_KINDS),
      fc.integer(),
      fc.jsonValue(),
      fc.array(fc.string(), { maxLength: 3 }),
    )
    .map(([kind, seed, junk, pathBits]) => {
      const value = fromSchema(API_KIND_INFO[kind].spec, seededRandom(seed)) as Record<string, unknown>;
      let at: Record<string, unknown> = value;
      for (const bit of pathBits) {
        const next = at[bit];
        if (next !== null && typeof next === 'object' && !Array.isArray(next))
          at = next as Record<string, unknown>;
        else break;
      }
      if (pathBits.length > 0) at[pathBits[pathBits.length - 1] as string] = junk;
      return value;
    }),
  fc.jsonValue({ maxDepth: 6 }),
  fc.constant(undefined),
);

const body = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          meshName: name,
          virtualNodeName: name,
          virtualServiceName: name,
          virtualRouterName: name,
          routeName: name,
          virtualGatewayName: name,
          gatewayRouteName: name,
          spec,
          clientToken: fc.option(fc.string({ maxLength: 70 })),
          tags: fc.option(fc.jsonValue({ maxDepth: 3 })),
          tagKeys: fc.option(fc.jsonValue({ maxDepth: 2 })),
        },
        { requiredKeys: [] },
      )
      .map((b) => JSON.stringify(b)),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 8 }).map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 60, max: 20_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

const query = fc.record(
  {
    limit: fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), fc.string({ maxLength: 5 })),
    nextToken: fc.string({ maxLength: 60 }),
    meshOwner: fc.oneof(fc.constant('000000000000'), fc.string({ maxLength: 14 })),
    resourceArn: fc.oneof(
      fc.constantFrom(
        'arn:aws:appmesh:us-west-2:000000000000:mesh/mesh-1',
        'arn:aws:appmesh:eu-west-1:000000000000:mesh/mesh-1',
        'arn:aws-cn:appmesh:us-west-2:000000000000:mesh/mesh-1/virtualNode/vnode-1_mesh-test',
      ),
      fc.string({ maxLength: 80 }),
    ),
  },
  { requiredKeys: [] },
);

interface RestCase {
  method: string;
  url: string;
  body: string | undefined;
}

const restCase: fc.Arbitrary<RestCase> = fc
  .tuple(
    fc.constantFrom(...OPERATIONS),
    fc.array(segment, { minLength: 3, maxLength: 3 }),
    query,
    body,
    fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('POST', 'PATCH', 'GET', 'DELETE') },
    ),
  )
  .map(
    ([op, names, q, b, method]: [
      OperationSpec,
      string[],
      Record<string, string>,
      string,
      string | undefined,
    ]) => {
      let i = 0;
      const p = op.path.replace(/:[A-Za-z]+/g, () => names[i++ % names.length] as string);
      const qs = new URLSearchParams(q).toString();
      const m = method ?? op.method;
      return { method: m, url: `/v20190125${p}${qs ? `?${qs}` : ''}`, body: m === 'GET' ? undefined : b };
    },
  );

// ── xDS input ───────────────────────────────────────────────────────────────

const typeUrl = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...Object.values(TYPE_URL)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 120 }).map((s) => `type.googleapis.com/${s}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const nodeId = fc.oneof(
  fc.constantFrom(
    'mesh/mesh-1/virtualNode/vnode-1_mesh-test',
    'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
    'mesh/mesh-1/virtualGateway/gateway_mesh-test',
    'arn:aws:appmesh:us-west-2:000000000000:mesh/mesh-1/virtualNode/vnode-2_mesh-test',
    'arn:aws:appmesh:eu-west-1:000000000000:mesh/mesh-1/virtualNode/vnode-2_mesh-test',
    'mesh/mesh-1@111111111111/virtualNode/vnode-1_mesh-test',
  ),
  fc.string({ maxLength: 300 }),
);
const names = fc.array(fc.string({ maxLength: 60 }), { maxLength: 20 });
const sotwRequest = fc.record(
  {
    type_url: typeUrl,
    resource_names: names,
    version_info: fc.string({ maxLength: 20 }),
    response_nonce: fc.string({ maxLength: 20 }),
    node: fc.record(
      {
        id: nodeId,
        cluster: fc.string({ maxLength: 20 }),
        user_agent_name: fc.constantFrom('envoy', 'grpc-node-js', ''),
      },
      { requiredKeys: ['id'] },
    ),
    error_detail: fc.record({
      code: fc.integer({ min: 0, max: 20 }),
      message: fc.string({ maxLength: 100 }),
    }),
  },
  { requiredKeys: ['type_url'] },
);
const deltaRequest = fc.record(
  {
    type_url: typeUrl,
    resource_names_subscribe: names,
    resource_names_unsubscribe: names,
    initial_resource_versions: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 10 }), {
      maxKeys: 5,
    }),
    response_nonce: fc.string({ maxLength: 20 }),
    node: fc.record({ id: nodeId }),
    error_detail: fc.record({
      code: fc.integer({ min: 0, max: 20 }),
      message: fc.string({ maxLength: 100 }),
    }),
  },
  { requiredKeys: ['type_url'] },
);
type XdsMessage =
  { kind: 'sotw' | 'delta'; value: Record<string, unknown> } | { kind: 'garbage'; value: Uint8Array };
const xdsStream = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(sotwRequest, { minLength: 1, maxLength: 8 })
      .map((m): XdsMessage[] => m.map((value) => ({ kind: 'sotw', value }))),
  },
  {
    weight: 4,
    arbitrary: fc
      .array(deltaRequest, { minLength: 1, maxLength: 8 })
      .map((m): XdsMessage[] => m.map((value) => ({ kind: 'delta', value }))),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.uint8Array({ maxLength: 400 }), { minLength: 1, maxLength: 4 })
      .map((m): XdsMessage[] => m.map((value) => ({ kind: 'garbage', value }))),
  },
);

// ── running ─────────────────────────────────────────────────────────────────

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const sotwType = messageType('envoy.service.discovery.v3.DiscoveryRequest');
const deltaType = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');

async function sendXds(client: grpc.Client, messages: XdsMessage[]): Promise<void> {
  const delta = messages[0]?.kind === 'delta';
  const encode = (m: XdsMessage): Buffer => {
    if (m.kind === 'garbage') return Buffer.from(m.value);
    const t = m.kind === 'delta' ? deltaType : sotwType;
    return Buffer.from(t.encode(t.fromObject(m.value)).finish());
  };
  const call = client.makeBidiStreamRequest(
    `${ADS}/${delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources'}`,
    encode,
    (b: Buffer) => b,
    new grpc.Metadata(),
    { deadline: Date.now() + 5_000 },
  );
  await new Promise<void>((resolve) => {
    call.on('data', () => undefined);
    call.on('error', () => resolve());
    call.on('status', () => resolve());
    for (const m of messages) call.write(m);
    call.end();
  });
}

async function pool<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'amime-fuzz-'));
  const server = await startServer(dir);
  const started = performance.now();
  const rssStart = rssMiB(server.pid);
  let rssMax = rssStart;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(server.pid))), 200);
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let restSent = 0;
  let xdsSent = 0;
  let xdsStreams = 0;
  try {
    const restN = Math.floor(N / 2);
    const cases = fc.sample(restCase, { numRuns: restN, seed: SEED });
    await pool(cases, async (c) => {
      let res: Response;
      try {
        res = await fetch(`${server.api}${c.url}`, {
          method: c.method,
          ...(c.body !== undefined ? { body: c.body, headers: { 'content-type': 'application/json' } } : {}),
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
      } catch (err) {
        if (server.exited()) throw new Error(`amime serve died:\n${server.stderr()}`);
        failures.push(`${c.method} ${c.url.slice(0, 200)}: ${(err as Error).message}`);
        return;
      }
      restSent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const type = res.headers.get('x-amzn-errortype');
      if (res.status >= 500 && !(res.status === 503 && type === 'ServiceUnavailableException'))
        failures.push(
          `${res.status} ${type} for ${c.method} ${c.url.slice(0, 200)} ${c.body?.slice(0, 200) ?? ''}`,
        );
      if (!res.headers.get('x-amzn-requestid'))
        failures.push(`no x-amzn-requestid on ${res.status} for ${c.method} ${c.url.slice(0, 120)}`);
    });

    const streams: XdsMessage[][] = [];
    for (let total = 0, i = 0; total < N - restN; i++) {
      const [s] = fc.sample(xdsStream, { numRuns: 1, seed: SEED + 1 + i });
      streams.push(s as XdsMessage[]);
      total += (s as XdsMessage[]).length;
    }
    const clients = Array.from(
      { length: 8 },
      () =>
        new grpc.Client(`127.0.0.1:${server.xdsPort}`, grpc.credentials.createInsecure(), {
          'grpc.use_local_subchannel_pool': 1,
        }),
    );
    let k = 0;
    await pool(streams, async (messages) => {
      await sendXds(clients[k++ % clients.length] as grpc.Client, messages);
      if (server.exited()) throw new Error(`amime serve died:\n${server.stderr()}`);
      xdsSent += messages.length;
      xdsStreams++;
    });
    for (const c of clients) c.close();
    // Still whole: it answers the API.
    const health = await fetch(`${server.api}/v20190125/meshes`);
    if (health.status !== 200) failures.push(`after the run, ListMeshes answered ${health.status}`);
  } finally {
    clearInterval(sampler);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const byStatus = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  console.log(`fuzz seed ${SEED}: ${restSent + xdsSent} requests in ${seconds.toFixed(0)} s`);
  console.log(`  REST: ${restSent} requests (${byStatus})`);
  console.log(`  xDS:  ${xdsSent} messages on ${xdsStreams} streams (SotW, delta, garbage frames)`);
  console.log(
    `  server RSS: ${rssStart.toFixed(0)} MiB at start, ${rssMax.toFixed(0)} MiB at most (bound ${MAX_RSS_MB} MiB)`,
  );
  console.log(`  crashes: 0 · 5xx other than store failures and other failures: ${failures.length}`);
  for (const f of failures.slice(0, 20)) console.log(`    ${f}`);
  if (failures.length > 0 || !(rssMax < MAX_RSS_MB)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
