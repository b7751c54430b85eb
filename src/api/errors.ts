/**
 * App Mesh errors as the service returns them (appmesh.md §6.4): the type travels in
 * `x-amzn-errortype`, the body is `{"message": "..."}`. Both AWS clients map the
 * header to their exception classes, so the name must be exact.
 */
import { InvalidArgumentError, StoreError } from '../store/index.js';

export type ApiErrorName =
  | 'BadRequestException'
  | 'ForbiddenException'
  | 'NotFoundException'
  | 'ConflictException'
  | 'ResourceInUseException'
  | 'LimitExceededException'
  | 'TooManyRequestsException'
  | 'TooManyTagsException'
  | 'InternalServerErrorException'
  | 'ServiceUnavailableException'
  // Authentication errors come from AWS's front door, not from App Mesh itself.
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException'
  | 'UnknownOperationException';

export const ERROR_STATUS: Readonly<Record<ApiErrorName, number>> = {
  BadRequestException: 400,
  ForbiddenException: 403,
  NotFoundException: 404,
  ConflictException: 409,
  ResourceInUseException: 409,
  LimitExceededException: 400,
  TooManyRequestsException: 429,
  TooManyTagsException: 400,
  InternalServerErrorException: 500,
  ServiceUnavailableException: 503,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  UnknownOperationException: 404,
};

export class ApiError extends Error {
  readonly errorType: ApiErrorName;
  readonly statusCode: number;
  /** Seconds a throttled client should wait (TooManyRequestsException). */
  readonly retryAfterSeconds?: number;

  constructor(errorType: ApiErrorName, message: string, options: { retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = errorType;
    this.errorType = errorType;
    this.statusCode = ERROR_STATUS[errorType];
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const badRequest = (message: string) => new ApiError('BadRequestException', message);
export const notFound = (message: string) => new ApiError('NotFoundException', message);
export const conflict = (message: string) => new ApiError('ConflictException', message);
export const resourceInUse = (message: string) => new ApiError('ResourceInUseException', message);
export const limitExceeded = (message: string) => new ApiError('LimitExceededException', message);
export const forbidden = (message: string) => new ApiError('ForbiddenException', message);

/**
 * What goes on the wire: App Mesh's error for every failure, never a stack trace or an
 * internal message. HTTP-level refusals are the client's (400); a store that cannot
 * take the write (a full disk, etcd unreachable) is a 503 the client may retry; only
 * what is left is a 500.
 */
export function toWireError(err: unknown, bodyLimit?: number): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof InvalidArgumentError) return badRequest(`The request cannot be stored: ${err.message}.`);
  if (err instanceof StoreError)
    return new ApiError(
      'ServiceUnavailableException',
      'The store cannot take the request right now (its disk is full or it is unreachable); try again later.',
      { retryAfterSeconds: 5 },
    );
  const http = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof http.statusCode === 'number' && http.statusCode >= 400 && http.statusCode < 500) {
    if (http.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return badRequest(
        `The request body is larger than ${bodyLimit ?? 'the limit of'} bytes, the most this operation accepts.`,
      );
    return badRequest(typeof http.message === 'string' ? http.message : 'The request is malformed.');
  }
  return new ApiError(
    'InternalServerErrorException',
    'The request processing has failed because of an unknown error, exception or failure.',
  );
}
