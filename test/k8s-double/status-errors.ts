/** `metav1.Status` failures with Kubernetes' reasons and message wording, for the API-server test double. */
import { qualifiedResource, type ResourceType } from './resource-types.js';

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ message: string; field?: string }>;
  };
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusBody['details'],
  ) {
    super(message);
  }

  body(): StatusBody {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const details = (t: ResourceType, name: string) => ({ name, group: t.group, kind: t.resource });

export const notFound = (t: ResourceType, name: string) =>
  new ApiError(404, 'NotFound', `${qualifiedResource(t)} "${name}" not found`, details(t, name));

export const alreadyExists = (t: ResourceType, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualifiedResource(t)} "${name}" already exists`, details(t, name));

export const conflict = (
  t: ResourceType,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${why}`,
    details(t, name),
  );

export const invalid = (t: ResourceType, name: string, field: string, message: string) =>
  new ApiError(
    422,
    'Invalid',
    `${t.group === '' ? t.kind : `${t.kind}.${t.group}`} "${name}" is invalid: ${field}: ${message}`,
    {
      ...details(t, name),
      causes: [{ field, message }],
    },
  );

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const methodNotAllowed = (
  message = 'the server does not allow this method on the requested resource',
) => new ApiError(405, 'MethodNotAllowed', message);

export const unsupportedMediaType = (type: string) =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json; got ${type}`,
  );
