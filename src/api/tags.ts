/** TagResource, UntagResource, ListTagsForResource (appmesh.md §5: 50 tags, key 1..128, value 0..256). */
import type { ApiKind, TagRef } from '../model/api-form/index.js';
import { parseArn, checkAgainstSchema, type ArnContext } from '../model/index.js';
import { Type } from '@sinclair/typebox';
import { ApiError, badRequest, notFound } from './errors.js';
import { pageOf, parseLimit } from './paging.js';
import { checkTags } from './request-checks.js';
import type { AppMeshService } from './service.js';
import { formatForApi } from './validate.js';
import type { Location } from './view.js';

const MAX_TAGS = 50;

const ARN_TYPES: Readonly<Record<string, ApiKind>> = {
  mesh: 'Mesh',
  virtualNode: 'VirtualNode',
  virtualService: 'VirtualService',
  virtualRouter: 'VirtualRouter',
  virtualGateway: 'VirtualGateway',
  route: 'Route',
  gatewayRoute: 'GatewayRoute',
};

/**
 * The resource an ARN names on this server. An ARN of another account, region or
 * partition names nothing here, whatever its path says: tagging it must not touch the
 * local resource of the same name.
 */
export function locationOfArn(arn: unknown, here: ArnContext): Location {
  if (typeof arn !== 'string' || arn === '')
    throw badRequest(
      "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null",
    );
  const parsed = parseArn(arn);
  const kind = parsed ? ARN_TYPES[parsed.type] : undefined;
  if (!parsed || !kind || !arn.startsWith('arn:'))
    throw badRequest(`The resourceArn ${arn} is not a valid App Mesh resource ARN.`);
  const partition = here.partition ?? 'aws';
  if (parsed.account !== here.account || parsed.region !== here.region || arn.split(':')[1] !== partition)
    throw notFound(
      `There is no resource with the ARN ${arn} here: this endpoint holds the resources of account ${here.account} in region ${here.region} (partition ${partition}).`,
    );
  return {
    kind,
    mesh: parsed.mesh,
    name: parsed.name,
    ...(parsed.parent !== undefined ? { parent: parsed.parent } : {}),
  };
}

export async function tagResource(
  service: AppMeshService,
  here: ArnContext,
  arn: unknown,
  rawTags: unknown,
): Promise<Record<string, never>> {
  const loc = locationOfArn(arn, here);
  if (Array.isArray(rawTags) && rawTags.length > MAX_TAGS) throw tooManyTags();
  if (rawTags === undefined || rawTags === null)
    throw badRequest(
      "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
    );
  const tags = checkTags(rawTags);
  await service.writeTags(loc, (current) => {
    const merged = new Map(current.map((t) => [t.key, t.value]));
    for (const t of tags) merged.set(t.key, t.value);
    if (merged.size > MAX_TAGS) throw tooManyTags();
    return [...merged].map(([key, value]) => ({ key, value }));
  });
  return {};
}

const TagKeys = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: MAX_TAGS });

export async function untagResource(
  service: AppMeshService,
  here: ArnContext,
  arn: unknown,
  keys: unknown,
): Promise<Record<string, never>> {
  const loc = locationOfArn(arn, here);
  if (keys === undefined || keys === null)
    throw badRequest(
      "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
    );
  const errors = checkAgainstSchema(TagKeys, keys, { at: ['tagKeys'] }).filter((d) => d.severity === 'error');
  if (errors.length > 0) throw badRequest(errors.map(formatForApi).join('; '));
  const drop = new Set(keys as string[]);
  await service.writeTags(loc, (current) => current.filter((t) => !drop.has(t.key)));
  return {};
}

export function listTags(
  service: AppMeshService,
  here: ArnContext,
  arn: unknown,
  limit: unknown,
  nextToken: unknown,
): { tags: TagRef[]; nextToken?: string } {
  const loc = locationOfArn(arn, here);
  const tags = [...service.readTags(loc)].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = pageOf(tags, (t) => t.key, `tags/${String(arn)}`, {
    ...(parseLimit(limit, MAX_TAGS) !== undefined ? { limit: parseLimit(limit, MAX_TAGS) as number } : {}),
    ...(typeof nextToken === 'string' ? { nextToken } : {}),
  });
  return { tags: page.items, ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}) };
}

function tooManyTags(): ApiError {
  return new ApiError(
    'TooManyTagsException',
    `The request exceeds the maximum allowed number of tags allowed per resource. The current limit is ${MAX_TAGS}.`,
  );
}
