/**
 * RouteConfigIR → Envoy RouteConfiguration. A virtual host or a route list shared
 * between groups in the IR is one object there, and one Envoy object here (marked for
 * the encoder, which then keeps its bytes).
 */
import { EXT, typedConfig } from '../../proto/index.js';
import { durationFromMillis } from '../duration.js';
import { isShared, markShared } from '../encode-plain.js';
import { aggregateStats } from '../aggregate-stats.js';
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
import { emitShared } from './shared.js';

const PREVIOUS_HOSTS = {
  name: FILTER.previousHosts,
  typed_config: typedConfig(EXT.previousHosts, {} satisfies EmptyConfig),
};

export function routeConfig(ir: RouteConfigIR): RouteConfiguration {
  return { name: ir.name, virtual_hosts: ir.virtualHosts.map(virtualHost) };
}

function virtualHost(ir: VirtualHostIR): VirtualHost {
  return emitShared(ir, (v) => {
    const out: VirtualHost = {
      name: v.name,
      domains: v.domains,
      routes: v.targetService ? tagged(routes(v.routes), v.targetService) : routes(v.routes),
    };
    if (v.responseHeadersToRemove) out.response_headers_to_remove = v.responseHeadersToRemove;
    return out;
  });
}

/** A route list (a router's is shared by the virtual hosts of all its services, its routes marked shared one by one). */
function routes(ir: RouteIR[]): Route[] {
  const first = ir[0];
  if (first === undefined || !isShared(first)) return ir.map(route);
  let out = lists.get(ir);
  if (!out) {
    lists.set(ir, (out = ir.map(route)));
    // The tagged copies of every virtual host using the list share these parts: their bytes are kept.
    for (const r of out) markShared([r.match, r.route, r.direct_response]);
  }
  return out;
}

const lists = new WeakMap<RouteIR[], Route[]>();

/** Thin copies of a route list carrying the TargetVirtualService tag; a shared list's parts keep their cached bytes. */
function tagged(list: Route[], service: string): Route[] {
  const metadata = serviceStats(service);
  return list.map((r) => (r.metadata ? r : { ...r, metadata }));
}

const serviceStats = (service: string) => aggregateStats([{ key: 'TargetVirtualService', value: service }]);

function route(ir: RouteIR): Route {
  return emitShared(ir, (r) => {
    if ('directResponse' in r)
      return {
        name: r.name,
        match: routeMatch(r.match),
        direct_response: { status: r.directResponse.status },
        ...(r.targetService ? { metadata: serviceStats(r.targetService) } : {}),
      };
    const out: Route = { name: r.name, match: routeMatch(r.match), route: action(r.route) };
    if (r.targetService) out.metadata = serviceStats(r.targetService);
    if (r.requestHeadersToSet)
      out.request_headers_to_add = r.requestHeadersToSet.map((h) => ({
        header: { key: h.name, value: h.value },
        append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const,
      }));
    return out;
  });
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
