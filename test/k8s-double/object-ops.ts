/**
 * What kube-apiserver does to an object on create, update, patch and delete, as far
 * as Amime relies on it: names and uids, resourceVersion preconditions (409),
 * `metadata.generation` bumped only by spec changes, the `/status` subresource,
 * finalizers and `deletionTimestamp`, and admission webhooks in between. Pods are
 * deleted at once (no kubelet grace period) and deleting a Namespace does not
 * cascade: this is a test double, not a cluster.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { canonicalJson as canonical } from '../../src/k8s/canonical-json.js';
import type { AdmissionChain, Operation, UserInfo } from './admission-chain.js';
import { prepareBuiltin } from './builtin-validation.js';
import { applyJsonPatch, applyMergePatch, PatchError, type JsonPatchOp } from './json-patch.js';
import type { KObject, ObjectTable } from './object-table.js';
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from './resource-types.js';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  invalid,
  notFound,
  unsupportedMediaType,
} from './status-errors.js';

const NAMESPACE_TYPE = RESOURCE_TYPES.find((t) => t.group === '' && t.resource === 'namespaces')!;

export interface RequestContext {
  user: UserInfo;
  /** Warnings from admission webhooks, returned as `Warning` headers. */
  warnings: string[];
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
}

class Retry extends Error {}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function withoutMetaAndStatus(o: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export class ObjectOps {
  constructor(
    private readonly table: ObjectTable,
    private readonly admission: AdmissionChain,
  ) {}

  private namespaceLabels(
    t: ResourceType,
    namespace: string | undefined,
  ): Record<string, string> | undefined {
    if (!t.namespaced || namespace === undefined) return undefined;
    return this.table.get(NAMESPACE_TYPE, undefined, namespace)?.metadata.labels ?? {};
  }

  async create(
    t: ResourceType,
    namespace: string | undefined,
    body: unknown,
    ctx: RequestContext,
  ): Promise<KObject> {
    if (!isObject(body) || !isObject(body.metadata))
      throw badRequest(`Object '${t.kind}' is missing 'metadata'`);
    const apiVersion = apiVersionOf(t);
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (body.kind !== undefined && body.kind !== t.kind)
      throw badRequest(
        `the kind in the data (${String(body.kind)}) does not match the expected kind (${t.kind})`,
      );
    const obj = structuredClone(body) as KObject;
    obj.apiVersion = apiVersion;
    obj.kind = t.kind;
    const meta = obj.metadata;
    if (t.namespaced) {
      if (namespace === undefined) throw badRequest('a namespace is required to create this resource');
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace;
      if (!this.table.get(NAMESPACE_TYPE, undefined, namespace)) throw notFound(NAMESPACE_TYPE, namespace);
    } else delete meta.namespace;
    if (!meta.name) {
      if (!meta.generateName)
        throw invalid(t, '', 'metadata.name', 'Required value: name or generateName is required');
      meta.name = `${meta.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    const name = meta.name;
    for (const k of [
      'resourceVersion',
      'uid',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'creationTimestamp',
      'generation',
    ] as const)
      delete meta[k];
    if (this.table.get(t, namespace, name)) throw alreadyExists(t, name);
    prepareStatusForCreate(t, obj);

    const attrs = {
      type: t,
      operation: 'CREATE' as Operation,
      name,
      userInfo: ctx.user,
      ...(namespace !== undefined && t.namespaced ? { namespace } : {}),
    };
    const nsLabels = this.namespaceLabels(t, namespace);
    const mutated =
      (await this.admission.mutate(
        { ...attrs, object: obj, ...(nsLabels ? { namespaceLabels: nsLabels } : {}) },
        ctx.warnings,
      )) ?? obj;
    mutated.metadata.name = name;
    if (t.namespaced) mutated.metadata.namespace = namespace;
    mutated.metadata.uid = randomUUID();
    mutated.metadata.creationTimestamp = now();
    mutated.metadata.generation = 1;
    prepareBuiltin(t, mutated);
    await this.admission.validate(
      { ...attrs, object: mutated, ...(nsLabels ? { namespaceLabels: nsLabels } : {}) },
      ctx.warnings,
    );
    if (this.table.get(t, namespace, name)) throw alreadyExists(t, name);
    return this.table.put(t, mutated, 'ADDED');
  }

  /** PUT of the object or of its `/status`. */
  async update(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    sub: string | undefined,
    body: unknown,
    ctx: RequestContext,
  ): Promise<KObject> {
    if (!isObject(body) || !isObject(body.metadata))
      throw badRequest(`Object '${t.kind}' is missing 'metadata'`);
    const incoming = body as KObject;
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(incoming.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    const cur = this.table.get(t, namespace, name);
    if (!cur) throw notFound(t, name);
    const rv = incoming.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      // Custom resources refuse unconditional updates; built-in types mostly allow them.
      if (t.group === 'appmesh.k8s.aws')
        throw invalid(
          t,
          name,
          'metadata.resourceVersion',
          'Invalid value: 0x0: must be specified for an update',
        );
    } else if (rv !== cur.metadata.resourceVersion) throw conflict(t, name);
    try {
      return await this.replace(t, cur, incoming, sub, ctx);
    } catch (e) {
      if (e instanceof Retry) throw conflict(t, name);
      throw e;
    }
  }

  async patch(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    sub: string | undefined,
    contentType: string,
    patch: unknown,
    ctx: RequestContext,
  ): Promise<KObject> {
    const type = contentType.split(';')[0]!.trim();
    for (let attempt = 0; ; attempt++) {
      const cur = this.table.get(t, namespace, name);
      if (!cur) throw notFound(t, name);
      let patched: KObject;
      try {
        if (type === 'application/json-patch+json') patched = applyJsonPatch(cur, patch as JsonPatchOp[]);
        // Strategic merge is served as a plain merge patch: enough for the maps and scalars the tests patch.
        else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json')
          patched = applyMergePatch(cur, patch);
        else throw unsupportedMediaType(type);
      } catch (e) {
        if (e instanceof PatchError)
          throw new ApiError(422, 'Invalid', `the patch could not be applied: ${e.message}`);
        throw e;
      }
      if (!isObject(patched) || !isObject(patched.metadata))
        throw new ApiError(422, 'Invalid', 'the patch removed metadata');
      const rv = patched.metadata.resourceVersion;
      if (rv !== undefined && rv !== cur.metadata.resourceVersion) throw conflict(t, name);
      try {
        return await this.replace(t, cur, patched, sub, ctx);
      } catch (e) {
        if (e instanceof Retry && attempt < 5) continue;
        if (e instanceof Retry) throw conflict(t, name);
        throw e;
      }
    }
  }

  async delete(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions | undefined,
    ctx: RequestContext,
  ): Promise<KObject> {
    const cur = this.table.get(t, namespace, name);
    if (!cur) throw notFound(t, name);
    const pre = options?.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid)
      throw conflict(
        t,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid ?? ''}`,
      );
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw conflict(
        t,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion ?? ''}`,
      );
    }
    const nsLabels = this.namespaceLabels(t, namespace);
    await this.admission.validate(
      {
        type: t,
        operation: 'DELETE',
        name,
        userInfo: ctx.user,
        oldObject: cur,
        ...(t.namespaced && namespace ? { namespace } : {}),
        ...(nsLabels ? { namespaceLabels: nsLabels } : {}),
      },
      ctx.warnings,
    );
    const latest = this.table.get(t, namespace, name);
    if (!latest) throw notFound(t, name);
    if ((latest.metadata.finalizers ?? []).length > 0) {
      if (latest.metadata.deletionTimestamp) return latest;
      latest.metadata.deletionTimestamp = now();
      latest.metadata.deletionGracePeriodSeconds = 0;
      latest.metadata.generation = (latest.metadata.generation ?? 1) + 1;
      return this.table.put(t, latest, 'MODIFIED');
    }
    return this.table.remove(t, latest);
  }

  /** Admission, generation and finalizer rules, then the write; throws Retry when the object changed meanwhile. */
  private async replace(
    t: ResourceType,
    cur: KObject,
    incoming: KObject,
    sub: string | undefined,
    ctx: RequestContext,
  ): Promise<KObject> {
    const name = cur.metadata.name ?? '';
    const namespace = cur.metadata.namespace;
    let next: KObject;
    if (sub === 'status') {
      if (!t.status) throw notFound(t, name);
      next = structuredClone(cur);
      if (incoming.status === undefined) delete next.status;
      else next.status = structuredClone(incoming.status);
    } else if (sub !== undefined) {
      throw notFound(t, name);
    } else {
      next = structuredClone(incoming);
      next.apiVersion = cur.apiVersion;
      next.kind = cur.kind;
      for (const k of [
        'name',
        'namespace',
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
        'resourceVersion',
      ] as const) {
        if (cur.metadata[k] === undefined) delete next.metadata[k];
        else (next.metadata as Record<string, unknown>)[k] = cur.metadata[k];
      }
      if (t.status) {
        if (cur.status === undefined) delete next.status;
        else next.status = structuredClone(cur.status);
      }
    }
    const nsLabels = this.namespaceLabels(t, namespace);
    const attrs = {
      type: t,
      operation: 'UPDATE' as Operation,
      name,
      userInfo: ctx.user,
      oldObject: cur,
      ...(sub ? { subresource: sub } : {}),
      ...(t.namespaced && namespace ? { namespace } : {}),
      ...(nsLabels ? { namespaceLabels: nsLabels } : {}),
    };
    next = (await this.admission.mutate({ ...attrs, object: next }, ctx.warnings)) ?? next;
    if (cur.metadata.deletionTimestamp) {
      const added = (next.metadata.finalizers ?? []).filter(
        (f) => !(cur.metadata.finalizers ?? []).includes(f),
      );
      if (added.length > 0) {
        throw invalid(
          t,
          name,
          'metadata.finalizers',
          `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        );
      }
    }
    if (sub === undefined && canonical(withoutMetaAndStatus(next)) !== canonical(withoutMetaAndStatus(cur))) {
      next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    }
    prepareBuiltin(t, next, cur);
    await this.admission.validate({ ...attrs, object: next }, ctx.warnings);
    const latest = this.table.get(t, namespace, name);
    if (!latest || latest.metadata.resourceVersion !== cur.metadata.resourceVersion) throw new Retry();
    if (canonical(next) === canonical(cur)) return cur;
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0)
      return this.table.remove(t, next);
    return this.table.put(t, next, 'MODIFIED');
  }
}

/** What `PrepareForCreate` does to status: custom resources with a status subresource start without one. */
function prepareStatusForCreate(t: ResourceType, obj: KObject): void {
  if (!t.status) return;
  if (t.group === '' && t.resource === 'namespaces') obj.status = { phase: 'Active' };
  else if (t.group === '' && t.resource === 'pods') obj.status = { phase: 'Pending' };
  else if (t.group === '' && t.resource === 'services') obj.status = { loadBalancer: {} };
  else delete obj.status;
}
