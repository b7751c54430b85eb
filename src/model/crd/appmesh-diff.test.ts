/**
 * Amime's CRDs against App Mesh's, field by field (issue 16: "no schema refuses what App
 * Mesh's accepted"). App Mesh's side is testdata/appmesh-crd-fields.json, extracted from
 * aws/aws-app-mesh-controller-for-k8s config/crd/bases (see its `source`; regenerate with
 * scripts/extract-appmesh-crd-fields.ts). Every field App Mesh has, Amime has with the
 * same type; no constraint of Amime's is looser; and every one that is stricter is listed
 * below with the reason App Mesh could not have served that value either.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../kinds.js';
import { MAX_DURATION_MS, MAX_EXACT_INTEGER, MAX_INT32, MAX_UINT32 } from '../schema/bounds.js';
import { fieldTable, type FieldFacts, type FieldTable } from './field-table.js';
import { generateCrd } from './generate.js';

const appMesh = JSON.parse(
  readFileSync(new URL('./testdata/appmesh-crd-fields.json', import.meta.url), 'utf8'),
) as { source: string; kinds: Record<string, FieldTable> };

type Bound =
  | 'required'
  | 'enum'
  | 'pattern'
  | 'minimum'
  | 'maximum'
  | 'minLength'
  | 'maxLength'
  | 'minItems'
  | 'maxItems';

interface Difference {
  kind: string;
  path: string;
  keyword: Bound | 'type' | 'field';
  /** Amime's value and App Mesh's (undefined = no constraint). */
  amime: unknown;
  appMesh: unknown;
}

/** Whether Amime's value for `keyword` refuses something App Mesh's does not, and the reverse. */
function compare(
  kind: string,
  path: string,
  ours: FieldFacts,
  theirs: FieldFacts,
): { stricter: Difference[]; looser: Difference[] } {
  const stricter: Difference[] = [];
  const looser: Difference[] = [];
  const note = (list: Difference[], keyword: Difference['keyword'], amime: unknown, app: unknown) =>
    list.push({ kind, path, keyword, amime, appMesh: app });
  if (ours.type !== theirs.type) note(stricter, 'type', ours.type, theirs.type);
  if (ours.required && !theirs.required) note(stricter, 'required', true, undefined);
  if (!ours.required && theirs.required) note(looser, 'required', undefined, true);
  const lows = ['minimum', 'minLength', 'minItems'] as const;
  const highs = ['maximum', 'maxLength', 'maxItems'] as const;
  for (const k of lows) {
    // No minimum on a length or a count is the same as 0.
    const a = ours[k] ?? (k === 'minimum' ? -Infinity : 0);
    const b = theirs[k] ?? (k === 'minimum' ? -Infinity : 0);
    if (a > b) note(stricter, k, ours[k], theirs[k]);
    if (a < b) note(looser, k, ours[k], theirs[k]);
  }
  for (const k of highs) {
    const a = ours[k] ?? Infinity;
    const b = theirs[k] ?? Infinity;
    if (a < b) note(stricter, k, ours[k], theirs[k]);
    if (a > b) note(looser, k, ours[k], theirs[k]);
  }
  const inEnum = (list: string[] | undefined, v: string) => !list || list.includes(v);
  if ((theirs.enum ?? []).some((v) => !inEnum(ours.enum, v)) || (ours.enum && !theirs.enum))
    note(stricter, 'enum', ours.enum, theirs.enum);
  if ((ours.enum ?? []).some((v) => !inEnum(theirs.enum, v)) || (theirs.enum && !ours.enum))
    note(looser, 'enum', ours.enum, theirs.enum);
  if (ours.pattern !== theirs.pattern)
    note(ours.pattern ? stricter : looser, 'pattern', ours.pattern, theirs.pattern);
  return { stricter, looser };
}

const differences = (() => {
  const stricter: Difference[] = [];
  const looser: Difference[] = [];
  for (const kind of KINDS) {
    const ours = fieldTable(generateCrd(kind).spec.versions[0]!.schema.openAPIV3Schema);
    const theirs = appMesh.kinds[kind] ?? {};
    for (const path of Object.keys(theirs))
      if (!ours[path]) looser.push({ kind, path, keyword: 'field', amime: undefined, appMesh: theirs[path] });
    for (const path of Object.keys(ours))
      if (!theirs[path])
        stricter.push({ kind, path, keyword: 'field', amime: ours[path], appMesh: undefined });
    for (const path of Object.keys(theirs)) {
      if (!ours[path]) continue;
      const d = compare(kind, path, ours[path], theirs[path]!);
      stricter.push(...d.stricter);
      looser.push(...d.looser);
    }
  }
  return { stricter, looser };
})();

/**
 * Every way Amime's CRDs refuse what App Mesh's CRDs let through, and why App Mesh could
 * not have served it either. A rule covers the fields whose path matches.
 */
const TIGHTENINGS: Array<{ paths: RegExp; keyword: Bound; amime: number; why: string }> = [
  {
    paths: /\.(match|action\.target|weightedTargets\[\])\.port$/,
    keyword: 'minimum',
    amime: 1,
    why: "App Mesh's API (ListenerPort, botocore appmesh 2019-01-25) refused ports outside 1..65535, so the controller's CreateRoute/CreateGatewayRoute failed",
  },
  {
    paths: /\.(match|action\.target|weightedTargets\[\])\.port$/,
    keyword: 'maximum',
    amime: 65535,
    why: 'as above',
  },
  {
    paths: /\.connectionPool\.\w+\.max(Connections|PendingRequests|Requests)$/,
    keyword: 'maximum',
    amime: MAX_INT32,
    why: "App Mesh's API types MaxConnections, MaxPendingRequests and MaxRequests as `integer` (32-bit)",
  },
  {
    paths:
      /\.(timeout\.\w+|timeout|perRetryTimeout|outlierDetection\.\w+)\.value$|\.(idle|perRequest)\.value$/,
    keyword: 'maximum',
    amime: MAX_DURATION_MS,
    why: 'Envoy holds durations as 64-bit nanoseconds; longer fails translation for every proxy using it (issue 14 item 5)',
  },
  {
    paths: /\.outlierDetection\.(interval|baseEjectionDuration)\.value$/,
    keyword: 'minimum',
    amime: 1,
    why: "Envoy's outlier_detection.interval and base_ejection_time must be > 0 (protoc-gen-validate)",
  },
  {
    paths: /\.(maxRetries|maxServerErrors)$/,
    keyword: 'maximum',
    amime: MAX_UINT32,
    why: "Envoy's num_retries and consecutive_5xx are UInt32Value",
  },
  {
    paths: /\.match\.range\.(start|end)$/,
    keyword: 'minimum',
    amime: -MAX_EXACT_INTEGER,
    why: 'past 2^53 a JSON number is no longer an exact integer in JavaScript: the range would silently change',
  },
  {
    paths: /\.match\.range\.(start|end)$/,
    keyword: 'maximum',
    amime: MAX_EXACT_INTEGER,
    why: 'as above',
  },
];

describe("Amime's CRDs against App Mesh's, field by field", () => {
  it('compares all seven kinds, from the controller commit it names', () => {
    expect(appMesh.source).toMatch(/^aws\/aws-app-mesh-controller-for-k8s@[0-9a-f]{40} config\/crd\/bases/);
    expect(Object.keys(appMesh.kinds).sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) expect(Object.keys(appMesh.kinds[kind]!).length).toBeGreaterThan(5);
  });

  it('knows every field App Mesh has, and accepts everything App Mesh accepts there', () => {
    // Nothing looser either: a looser field would let through what App Mesh refused.
    expect(differences.looser).toEqual([]);
  });

  it('refuses more than App Mesh only where listed, each for a reason App Mesh could not serve the value either', () => {
    const unexplained = differences.stricter.filter(
      (d) => !TIGHTENINGS.some((t) => t.keyword === d.keyword && t.amime === d.amime && t.paths.test(d.path)),
    );
    expect(unexplained).toEqual([]);
  });

  it('lists no tightening that no longer exists', () => {
    for (const t of TIGHTENINGS) {
      const used = differences.stricter.some(
        (d) => d.keyword === t.keyword && d.amime === t.amime && t.paths.test(d.path),
      );
      expect(used, `${t.paths} ${t.keyword}`).toBe(true);
    }
  });

  // Issue 16 item 5: the one difference the field-by-field diff found before.
  it('leaves VirtualRouter listeners optional, as App Mesh does', () => {
    const ours = fieldTable(generateCrd('VirtualRouter').spec.versions[0]!.schema.openAPIV3Schema);
    expect(ours['spec.listeners']).toEqual({ type: 'array', minItems: 1 });
    expect(appMesh.kinds.VirtualRouter!['spec.listeners']).toEqual({ type: 'array', minItems: 1 });
  });
});
