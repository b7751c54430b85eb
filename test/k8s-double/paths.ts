/** Parses Kubernetes REST paths (`/api/v1/namespaces/ns/pods/name/status`) for the API-server test double. */
import { findType, type ResourceType } from './resource-types.js';

export interface ParsedPath {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Legacy `/watch/` prefix. */
  watchPrefix: boolean;
}

export type PathResult = { ok: true; path: ParsedPath } | { ok: false; kind: 'discovery' | 'unknown' };

export function parsePath(pathname: string): PathResult {
  const segs = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length <= 2) return { ok: false, kind: 'discovery' };
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length <= 3) return { ok: false, kind: 'discovery' };
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else {
    return { ok: false, kind: 'unknown' };
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  // namespaces/<ns>/<resource>/... is namespaced access; namespaces[/<name>[/<sub>]] is the Namespace resource.
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const type = findType(group, version, rest[0] ?? '');
  if (!type || rest.length > 3) return { ok: false, kind: 'unknown' };
  if (namespace !== undefined && !type.namespaced) return { ok: false, kind: 'unknown' };
  return {
    ok: true,
    path: {
      type,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(rest[1] !== undefined ? { name: rest[1] } : {}),
      ...(rest[2] !== undefined ? { subresource: rest[2] } : {}),
      watchPrefix,
    },
  };
}
