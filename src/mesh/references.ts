/**
 * Resolving `*Ref` / `*ARN` pairs (appmesh.md §1.0, §2.1): a Ref's namespace
 * defaults to the referrer's; an ARN's last path segment is the target's App Mesh
 * name, its type segment must match and its mesh must be the referrer's mesh.
 * References are resolved by Kubernetes identity even when membership failed, so a
 * missing target is still found in a namespace no Mesh selects; a Ref without a
 * namespace from a namespace-less referrer looks in the referrer's `spec.meshRef` mesh.
 */
import type { Path, ResourceId, Severity } from '../model/index.js';
import { defaultAwsName, KIND_INFO, parsedArn } from '../model/index.js';
import { awsNameKey } from './aws-names.js';
import type { BuildContext } from './context.js';
import { describeId, keyOf, refScope, relatedAt, type ResourceEntry } from './context.js';

export type RefKind = 'VirtualNode' | 'VirtualService' | 'VirtualRouter' | 'BackendGroup' | 'VirtualGateway';

export interface RefRequest {
  kind: RefKind;
  /** The object holding the Ref/ARN pair, e.g. `spec.routes[0].httpRoute.action.weightedTargets[1]`. */
  at: Path;
  ref?: { name?: unknown; namespace?: unknown } | undefined;
  arn?: unknown;
  /** Field names inside `at`. */
  refField: string;
  arnField?: string;
  /** How the referrer uses the target, for messages: "route route-1 targets". */
  what: string;
  /** Severity of a target that does not exist (backends may dangle: a warning). */
  missing: Severity;
  missingCode?: string;
}

export type RefResult =
  | { status: 'found'; entry: ResourceEntry }
  /** Exists but failed schema validation (its own errors say why). */
  | { status: 'invalid-input'; id: ResourceId }
  /** Does not exist; `awsName` is the name App Mesh would look for. */
  | { status: 'missing'; awsName: string; id?: ResourceId }
  /** Malformed ARN or a target in another mesh: reported. */
  | { status: 'unusable' };

export function resolveRef(ctx: BuildContext, referrer: ResourceEntry, req: RefRequest): RefResult {
  const ref = req.ref;
  if (ref && typeof ref.name === 'string') {
    const namespace =
      typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : referrer.id.namespace;
    const id: ResourceId = { kind: req.kind, name: ref.name, ...(namespace ? { namespace } : {}) };
    const path = [...req.at, req.refField];
    const entry = ctx.byKey.get(keyOf(req.kind, namespace, ref.name, refScope(referrer, namespace)));
    if (entry) return crossMeshCheck(ctx, referrer, entry, path);
    if (ctx.findInvalid(req.kind, namespace, ref.name)) return { status: 'invalid-input', id };
    reportMissing(
      ctx,
      referrer,
      req,
      path,
      `${req.what} ${describeId(id)}, which does not exist${elsewhere(ctx, req.kind, ref.name, namespace)}`,
    );
    return {
      status: 'missing',
      awsName: defaultAwsName(req.kind === 'BackendGroup' ? 'VirtualNode' : req.kind, ref.name, namespace),
      id,
    };
  }
  if (typeof req.arn === 'string' && req.arnField) {
    const path = [...req.at, req.arnField];
    const segment = KIND_INFO[req.kind].arnSegment ?? req.kind;
    const parsed = parsedArn(req.arn);
    if (!parsed || parsed.type === 'mesh' || parsed.parent !== undefined) {
      ctx.error(
        referrer,
        path,
        'ref.arn-invalid',
        `${JSON.stringify(req.arn)} is not a ${req.kind} ARN: expected arn:aws:appmesh:<region>:<account>:mesh/<mesh>/${segment}/<name>`,
      );
      return { status: 'unusable' };
    }
    if (parsed.type !== segment) {
      ctx.error(
        referrer,
        path,
        'ref.arn-type',
        `expected a ${segment} ARN, got a ${parsed.type} ARN (${req.arn})`,
      );
      return { status: 'unusable' };
    }
    const mesh = referrer.mesh?.awsName;
    if (mesh !== undefined && parsed.mesh !== mesh) {
      ctx.error(
        referrer,
        path,
        'ref.cross-mesh',
        `${req.kind} ${parsed.name} didn't belong to mesh ${mesh} (the ARN names mesh ${parsed.mesh}); references must stay within one mesh`,
      );
      return { status: 'unusable' };
    }
    const entry = ctx.byAwsName.get(awsNameKey(parsed.mesh, req.kind, parsed.name));
    if (entry) return crossMeshCheck(ctx, referrer, entry, path);
    reportMissing(
      ctx,
      referrer,
      req,
      path,
      `${req.what} ${req.kind} ${parsed.name} in mesh ${parsed.mesh} (by ARN), which does not exist`,
    );
    return { status: 'missing', awsName: parsed.name };
  }
  // Neither set: the schema's exactly-one rule already reported it.
  return { status: 'unusable' };
}

function crossMeshCheck(
  ctx: BuildContext,
  referrer: ResourceEntry,
  target: ResourceEntry,
  path: Path,
): RefResult {
  if (referrer.mesh && target.mesh && referrer.mesh !== target.mesh) {
    ctx.error(
      referrer,
      path,
      'ref.cross-mesh',
      `${describeId(target.id)} didn't belong to mesh ${referrer.mesh.awsName} (it is in mesh ${target.mesh.awsName}); references must stay within one mesh`,
      [relatedAt(target, [], `in mesh ${target.mesh.awsName}`)],
    );
    return { status: 'unusable' };
  }
  return { status: 'found', entry: target };
}

function reportMissing(
  ctx: BuildContext,
  referrer: ResourceEntry,
  req: RefRequest,
  path: Path,
  message: string,
): void {
  const code = req.missingCode ?? 'ref.not-found';
  if (req.missing === 'error') ctx.error(referrer, path, code, message);
  else ctx.warning(referrer, path, code, message);
}

/** A hint when the name exists in another namespace: the usual cause is a missing `namespace:`. */
function elsewhere(ctx: BuildContext, kind: RefKind, name: string, namespace: string | undefined): string {
  const others = ctx.entries
    .filter((e) => e.kind === kind && e.id.name === name && e.id.namespace !== namespace)
    .map((e) => e.id.namespace ?? '');
  if (others.length === 0) return '';
  return ` (a ${kind} ${name} exists in namespace ${others.slice(0, 3).join(', ')}; set namespace: in the reference)`;
}

/** Records that `referrer` cannot become Active before the referenced resource is. */
export function waitFor(referrer: ResourceEntry, result: RefResult): void {
  if (result.status === 'found') referrer.waitsFor.push({ entry: result.entry });
  else if (result.status === 'invalid-input') referrer.waitsFor.push({ invalidInput: result.id });
}
