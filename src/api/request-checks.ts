/** Input checks shared by the operations: names, specs, tags, meshOwner. */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { checkAgainstSchema } from '../model/index.js';
import { TagList, type TagRef } from '../model/api-form/index.js';
import { badRequest, forbidden } from './errors.js';
import { formatForApi } from './validate.js';

/** Control characters (NUL included): no App Mesh name, ARN or store key holds one. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** App Mesh names are 1..255 characters; `/` would break ARNs and paths, so it is refused too. */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 255) {
    throw badRequest(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and 255`,
    );
  }
  if (value.includes('/')) throw badRequest(`${field} must not contain "/": ${JSON.stringify(value)}`);
  if (CONTROL.test(value))
    throw badRequest(`${field} must not contain control characters: ${JSON.stringify(value)}`);
  return value;
}

/**
 * Validates an API spec and returns a copy without fields the API does not define
 * (ignored as AWS services ignore unknown JSON members).
 */
export function checkSpec<T>(
  schema: TSchema,
  spec: unknown,
  required: boolean,
  resource: { kind: string; name: string },
): T {
  if (spec === undefined || spec === null) {
    if (required)
      throw badRequest(
        "1 validation error detected: Value null at 'spec' failed to satisfy constraint: Member must not be null",
      );
    return {} as T;
  }
  const errors = checkAgainstSchema(schema, spec, { at: ['spec'], resource }).filter(
    (d) => d.severity === 'error',
  );
  if (errors.length > 0) throw badRequest(errors.map(formatForApi).join('; '));
  return Value.Clean(schema, structuredClone(spec)) as T;
}

export function checkTags(tags: unknown, field = 'tags'): TagRef[] {
  if (tags === undefined || tags === null) return [];
  const errors = checkAgainstSchema(TagList, tags, { at: [field] }).filter((d) => d.severity === 'error');
  if (errors.length > 0) throw badRequest(errors.map(formatForApi).join('; '));
  return (tags as TagRef[]).map((t) => ({ key: t.key, value: t.value }));
}

/** Meshes are not shared across accounts here: another owner's mesh cannot be reached. */
export function checkMeshOwner(meshOwner: unknown, accountId: string, mesh: string): void {
  if (meshOwner === undefined || meshOwner === '') return;
  if (typeof meshOwner !== 'string' || !/^\d{12}$/.test(meshOwner)) {
    throw badRequest(
      "1 validation error detected: Value at 'meshOwner' failed to satisfy constraint: Member must have length between 12 and 12",
    );
  }
  if (meshOwner !== accountId) {
    throw forbidden(
      `Account ${accountId} is not authorized to access mesh ${mesh} owned by account ${meshOwner}: the mesh is not shared with you.`,
    );
  }
}
