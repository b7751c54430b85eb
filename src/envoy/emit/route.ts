/**
 * RouteConfigIR → Envoy RouteConfiguration. A virtual host or a route list shared
 * between groups in the IR is one object there, and one Envoy object here (marked for
 * the encoder, which then keeps its bytes).
 */
import { EXT, typedConfig } from '../../proto/index.js';
import { isShared, markShared } from '../encode-plain.js';
import { durationFromMillis } from '../duration.js';
import type { RetryIR, RouteActionIR, RouteConfigIR, RouteIR, VirtualHostIR } from '../ir/types.js';
import { FILTER } from '../names.js';
import type {
  EmptyConfig,
  RetryPolicy,
  Route,
  RouteAction,
  RouteConfiguration,
  VirtualHost,
} from '../types.js';
import { routeMatch } from './route-match.js';

const PREVIOUS_HOSTS = {
  name: FILTER.previousHosts,
  typed_config: typedConfig(EXT.previousHosts, {} satisfies EmptyConfig),
};

const emitted = new WeakMap<object, object>();

/** The Envoy object of an IR object, built once; shared IR objects give shared Envoy objects. */
function once<I extends object, O extends object>(ir: I, build: (ir: I) => O): O {
  let out = emitted.get(ir) as O | undefined;
  if (!out) {
    emitted.set(ir, (out = build(ir)));
    if (isShared(ir)) markShared(out);
  }
  return out;
}

export function routeConfig(ir: RouteConfigIR): RouteConfiguration {
  return once(ir, (c) => ({ name: c.name, virtual_hosts: c.virtualHosts.map(virtualHost) }));
}

function virtualHost(ir: VirtualHostIR): VirtualHost {
  return once(ir, (v) => ({ name: v.name, domains: v.domains, routes: routes(v.routes) }));
}

/** A route list (routers' lists are shared by the virtual hosts of all their services). */
function routes(ir: RouteIR[]): Route[] {
  return once(ir, (rs) => rs.map(route));
}

function route(ir: RouteIR): Route {
  return once(ir, (r) =>
    'directResponse' in r
      ? { name: r.name, match: routeMatch(r.match), direct_response: { status: r.directResponse.status } }
      : { name: r.name, match: routeMatch(r.match), route: action(r.route) },
  );
}

function action(a: RouteActionIR): RouteAction {
  const out: RouteAction = {};
  if (a.cluster !== undefined) out.cluster = a.cluster;
  if (a.weightedClusters)
    out.weighted_clusters = {
      clusters: a.weightedClusters.map((c) => ({ name: c.name, weight: { value: c.weight } })),
    };
  if (a.timeout !== undefined) out.timeout = durationFromMillis(a.timeout);
  if (a.idleTimeout !== undefined) out.idle_timeout = durationFromMillis(a.idleTimeout);
  if (a.maxStreamDuration !== undefined)
    out.max_stream_duration = { max_stream_duration: durationFromMillis(a.maxStreamDuration) };
  if (a.retry) out.retry_policy = retry(a.retry);
  if (a.prefixRewrite !== undefined) out.prefix_rewrite = a.prefixRewrite;
  if (a.regexRewrite)
    out.regex_rewrite = {
      pattern: { regex: a.regexRewrite.pattern },
      substitution: a.regexRewrite.substitution,
    };
  if (a.hostRewriteLiteral !== undefined) out.host_rewrite_literal = a.hostRewriteLiteral;
  return out;
}

function retry(r: RetryIR): RetryPolicy {
  const out: RetryPolicy = { retry_on: r.retryOn.join(','), num_retries: { value: r.numRetries } };
  if (r.perTryTimeout !== undefined) out.per_try_timeout = durationFromMillis(r.perTryTimeout);
  if (r.retriableStatusCodes) out.retriable_status_codes = r.retriableStatusCodes;
  if (r.previousHostsAttempts !== undefined) {
    out.retry_host_predicate = [PREVIOUS_HOSTS];
    out.host_selection_retry_max_attempts = r.previousHostsAttempts;
  }
  return out;
}
