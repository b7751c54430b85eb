/** Small helpers the data-path tests share: counting answers, reading an Envoy's stats and routes. */
import { expect } from 'vitest';
import type { CallResult } from '../apps/calls.js';
import type { EnvoyProcess } from './envoy-process.js';

export function tally(
  results: readonly CallResult[],
  key: (r: CallResult) => string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

/** `<status> <node>` (or the error when the request failed). */
export const byNode = (r: CallResult): string => `${r.status} ${r.node ?? r.error ?? ''}`.trim();

export async function stat(e: EnvoyProcess, name: string): Promise<number | undefined> {
  return (await e.stats(`^${name.replaceAll('.', '\\.')}$`)).get(name);
}

type WeightedRoute = {
  name?: string;
  route?: { weighted_clusters?: { clusters: Array<{ name: string; weight: number }> } };
};

/** Every route of the route configurations an Envoy holds (those `nameRegex` matches, if given). */
async function routes(e: EnvoyProcess, nameRegex = ''): Promise<WeightedRoute[]> {
  const dump = await e.configDump(
    `?resource=dynamic_route_configs${nameRegex ? `&name_regex=${encodeURIComponent(nameRegex)}` : ''}`,
  );
  type Rc = { route_config?: { virtual_hosts?: Array<{ routes?: WeightedRoute[] }> } };
  return (dump.configs as unknown as Rc[]).flatMap((c) =>
    (c.route_config?.virtual_hosts ?? []).flatMap((v) => v.routes ?? []),
  );
}

const weightsOf = (r: WeightedRoute | undefined): Record<string, number> =>
  Object.fromEntries((r?.route?.weighted_clusters?.clusters ?? []).map((c) => [c.name, c.weight]));

/** Weights per cluster of a named route in a route configuration, as the Envoy holds it. */
export async function weights(
  e: EnvoyProcess,
  routeConfig: string,
  route: string,
): Promise<Record<string, number>> {
  return weightsOf((await routes(e, routeConfig)).find((x) => x.name === route));
}

/**
 * Weights per cluster of every weighted route the Envoy holds, whatever its route
 * configuration: a gateway holds its targets' weights in its own route (today) or, once
 * it routes through its egress hop (issue 9 item 3), in the egress one.
 */
export async function allWeights(e: EnvoyProcess): Promise<Array<Record<string, number>>> {
  return (await routes(e)).filter((r) => r.route?.weighted_clusters).map(weightsOf);
}

/** |observed − expected| allowed for a binomial count: four standard deviations. */
export function fourSigma(n: number, p: number): number {
  return Math.ceil(4 * Math.sqrt(n * p * (1 - p)));
}

/** A 504 from Envoy ("upstream request timeout") after `ms`: not before, and not much later. */
export function expectTimedOut(r: CallResult | undefined, ms: number): void {
  expect(r?.status, JSON.stringify(r)).toBe(504);
  expect(r?.body).toContain('upstream request timeout');
  expect(r!.ms).toBeGreaterThanOrEqual(ms - 50);
  expect(r!.ms).toBeLessThan(ms + 2_500);
}

/** Starts a request now, to be checked later; a failure becomes a result, not an unhandled rejection. */
export function startEarly(call: () => Promise<CallResult[]>): Promise<CallResult | undefined> {
  return call().then(
    (r) => r[0],
    (e: unknown) => ({ status: -1, ms: 0, error: String(e) }),
  );
}

/**
 * Envoy's default access-log line for a GET of `path` answered 200 through `upstream`
 * (a regex source): what a gateway logging to a file without a format writes (UG
 * envoy-logs.md, S16).
 */
export function defaultAccessLogLine(path: string, upstream: string): RegExp {
  const p = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(
    `^\\[\\S+\\] "GET ${p} HTTP/1\\.1" 200 - 0 \\d+ \\d+ \\d+ "-" "-" "[0-9a-f-]+" "[^"]+" "${upstream}"$`,
    'm',
  );
}

/**
 * The health flags Envoy's `/clusters` shows for `host` (`ip:port`) in `cluster`:
 * `healthy`, or flags such as `/failed_active_hc`; undefined when it has no such host.
 */
export async function healthFlags(
  e: EnvoyProcess,
  cluster: string,
  host: string,
): Promise<string | undefined> {
  const prefix = `${cluster}::${host}::health_flags::`;
  const line = (await e.get('/clusters')).split('\n').find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length);
}
