/** HTTP input → service call → response payload, for each operation. */
import { API_KIND_INFO, type ApiKind } from '../model/api-form/index.js';
import { badRequest } from './errors.js';
import type { OperationSpec } from './operations.js';
import { parseLimit } from './paging.js';
import { checkMeshOwner, checkName, checkTags } from './request-checks.js';
import type { AppMeshService } from './service.js';
import { listTags, tagResource, untagResource } from './tags.js';
import type { Location } from './view.js';
import type { ArnContext } from '../model/index.js';

export interface OperationInput {
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, unknown>>;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
}

type Body = Record<string, unknown>;

export async function handleOperation(
  op: OperationSpec,
  input: OperationInput,
  service: AppMeshService,
  here: ArnContext,
): Promise<unknown> {
  const body = bodyOf(op, input.body);
  switch (op.action) {
    case 'tag':
      return tagResource(service, here, input.query.resourceArn, body.tags);
    case 'untag':
      return untagResource(service, here, input.query.resourceArn, body.tagKeys);
    case 'listTags':
      return listTags(service, here, input.query.resourceArn, input.query.limit, input.query.nextToken);
    default:
      break;
  }
  const kind = op.kind as ApiKind;
  const info = API_KIND_INFO[kind];
  if (kind === 'Mesh' && op.action === 'list') return listOf(service, op, input, undefined, undefined);
  const mesh =
    kind === 'Mesh' && op.action === 'create'
      ? checkName('meshName', body.meshName)
      : checkName('meshName', input.params.meshName);
  checkMeshOwner(input.query.meshOwner, here.account, mesh);
  const parent = info.parent
    ? checkName(info.parent.nameField, input.params[info.parent.nameField])
    : undefined;

  if (op.action === 'list') return listOf(service, op, input, mesh, parent);

  const name =
    kind === 'Mesh'
      ? mesh
      : checkName(
          info.nameField,
          op.action === 'create' ? body[info.nameField] : input.params[info.nameField],
        );
  const loc: Location = { kind, mesh, name, ...(parent !== undefined ? { parent } : {}) };
  const token = typeof body.clientToken === 'string' ? body.clientToken : undefined;
  if (token !== undefined && token.length > 64)
    throw badRequest(
      "1 validation error detected: Value at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 64",
    );
  // The resource is the HTTP payload itself (the model's `payload` member); clients wrap it
  // into `{ mesh: ... }`, `{ virtualNode: ... }`.
  switch (op.action) {
    case 'create':
      return service.create(loc, body.spec, checkTags(body.tags), token);
    case 'describe':
      return service.describe(loc);
    case 'update':
      return service.update(loc, body.spec, token);
    case 'delete':
      return service.delete(loc);
  }
}

function listOf(
  service: AppMeshService,
  op: OperationSpec,
  input: OperationInput,
  mesh: string | undefined,
  parent: string | undefined,
): unknown {
  const kind = op.kind as ApiKind;
  const limit = parseLimit(input.query.limit);
  const nextToken = typeof input.query.nextToken === 'string' ? input.query.nextToken : undefined;
  const page = service.list(kind, mesh, parent, {
    ...(limit !== undefined ? { limit } : {}),
    ...(nextToken !== undefined ? { nextToken } : {}),
  });
  return {
    [API_KIND_INFO[kind].listField]: page.items,
    ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
  };
}

function bodyOf(op: OperationSpec, body: unknown): Body {
  if (op.method !== 'PUT') return {};
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.');
  return body as Body;
}
