/**
 * App Mesh `ResourceMetadata` (uid, version, createdAt, lastUpdatedAt) and tags for
 * stored resources. They live in one annotation of the stored CRD object, so a resource
 * and its API metadata are written in the same store operation; a VirtualRouter's
 * annotation also holds its routes' metadata under `routes`, because routes are stored
 * inside the router record.
 *
 * Resources created outside the API (Kubernetes, YAML) have no annotation until the API
 * first writes them; their metadata is derived: uid from `metadata.uid` (else a hash
 * of the store key), version from `metadata.generation` (else the store version),
 * timestamps from `creationTimestamp` (else when this process first saw them).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AnyResource } from '../model/index.js';
import type { TagRef } from '../model/api-form/index.js';
import type { StoredRecord } from '../store/index.js';

import { API_METADATA_ANNOTATION } from '../model/api-form/index.js';

export { API_METADATA_ANNOTATION };

export interface ApiMeta {
  uid: string;
  version: number;
  /** Epoch seconds with fractions. */
  createdAt: number;
  lastUpdatedAt: number;
  tags?: TagRef[];
}

export interface StoredApiMeta extends ApiMeta {
  routes?: Record<string, ApiMeta>;
}

export function nowSeconds(now: number = Date.now()): number {
  return now / 1000;
}

export function newMeta(nowSec: number, tags?: TagRef[]): ApiMeta {
  return {
    uid: randomUUID(),
    version: 1,
    createdAt: nowSec,
    lastUpdatedAt: nowSec,
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
}

export function bumpMeta(meta: ApiMeta, nowSec: number): ApiMeta {
  return { ...meta, version: meta.version + 1, lastUpdatedAt: nowSec };
}

export function readApiMeta(resource: AnyResource): StoredApiMeta | undefined {
  const text = resource.metadata.annotations?.[API_METADATA_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as StoredApiMeta;
    return typeof m.uid === 'string' && typeof m.version === 'number' ? m : undefined;
  } catch {
    return undefined;
  }
}

/** A copy of `resource` carrying `meta` (routes' metadata included for routers). */
export function withApiMeta<R extends AnyResource>(resource: R, meta: StoredApiMeta): R {
  const annotations = {
    ...(resource.metadata.annotations ?? {}),
    [API_METADATA_ANNOTATION]: JSON.stringify(meta),
  };
  return { ...resource, metadata: { ...resource.metadata, annotations } };
}

/** When nothing better is known: the time this process first saw the record. */
export type FirstSeen = (key: string) => number;

export function effectiveMeta(record: StoredRecord<AnyResource>, firstSeen: FirstSeen): StoredApiMeta {
  const stored = readApiMeta(record.value);
  if (stored) return stored;
  const m = record.value.metadata;
  const created =
    m.creationTimestamp !== undefined && !Number.isNaN(Date.parse(m.creationTimestamp))
      ? Date.parse(m.creationTimestamp) / 1000
      : firstSeen(record.key);
  return {
    uid: m.uid ?? stableUid(record.key),
    version: m.generation ?? record.version,
    createdAt: created,
    lastUpdatedAt: created,
  };
}

export function effectiveRouteMeta(
  record: StoredRecord<AnyResource>,
  routeName: string,
  firstSeen: FirstSeen,
): ApiMeta {
  const parent = effectiveMeta(record, firstSeen);
  const stored = parent.routes?.[routeName];
  if (stored) return stored;
  return {
    uid: stableUid(`${record.key}#route/${routeName}`),
    version: parent.version,
    createdAt: parent.createdAt,
    lastUpdatedAt: parent.lastUpdatedAt,
  };
}

function stableUid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
