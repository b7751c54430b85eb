/**
 * One short line per App Mesh spec (REST API form) for `amime get -o wide`: what
 * someone scanning a table wants to see — listeners, discovery, backends, targets.
 */
import type { ApiKind } from '../model/api-form/index.js';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);

function listeners(spec: Obj): string {
  return arr(spec.listeners)
    .map((l) => {
      const pm = obj(l.portMapping);
      return `${String(pm.protocol ?? '?')}:${String(pm.port ?? '?')}`;
    })
    .join(',');
}

/** The route body whatever its protocol (httpRoute, http2Route, grpcRoute, tcpRoute). */
function routeBody(spec: Obj): [string, Obj] | undefined {
  for (const key of ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'])
    if (spec[key]) return [key.replace(/Route$/, ''), obj(spec[key])];
  return undefined;
}

function match(body: Obj): string {
  const m = obj(body.match);
  if (typeof m.prefix === 'string') return `prefix ${m.prefix}`;
  const path = obj(m.path);
  if (typeof path.exact === 'string') return `path ${path.exact}`;
  if (typeof m.serviceName === 'string') return `service ${m.serviceName}`;
  return '';
}

const parts = (...list: string[]) => list.filter((p) => p !== '').join(' · ');

export function specSummary(kind: ApiKind, value: unknown): string {
  const spec = obj(value);
  switch (kind) {
    case 'Mesh':
      return `egress ${String(obj(spec.egressFilter).type ?? 'DROP_ALL')}`;
    case 'VirtualNode': {
      const sd = obj(spec.serviceDiscovery);
      const dns = obj(sd.dns).hostname;
      const cm = obj(sd.awsCloudMap);
      const discovery = dns
        ? `dns ${String(dns)}`
        : cm.serviceName
          ? `cloudmap ${String(cm.namespaceName)}/${String(cm.serviceName)}`
          : '';
      const backends = arr(spec.backends).map((b) => String(obj(b.virtualService).virtualServiceName ?? '?'));
      return parts(listeners(spec), discovery, backends.length ? `backends ${backends.join(',')}` : '');
    }
    case 'VirtualService': {
      const p = obj(spec.provider);
      const node = obj(p.virtualNode).virtualNodeName;
      const router = obj(p.virtualRouter).virtualRouterName;
      return node ? `node ${String(node)}` : router ? `router ${String(router)}` : 'no provider';
    }
    case 'VirtualRouter':
    case 'VirtualGateway':
      return listeners(spec);
    case 'Route': {
      const r = routeBody(spec);
      if (!r) return '';
      const targets = arr(obj(r[1].action).weightedTargets).map(
        (t) => `${String(t.virtualNode)}:${String(t.weight)}`,
      );
      return parts(r[0], match(r[1]), targets.join(','));
    }
    case 'GatewayRoute': {
      const r = routeBody(spec);
      if (!r) return '';
      const target = obj(obj(obj(r[1].action).target).virtualService).virtualServiceName;
      return parts(r[0], match(r[1]), target ? `→ ${String(target)}` : '');
    }
  }
}
