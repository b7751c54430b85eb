/**
 * App Mesh errors as the service returns them (appmesh.md §6.4): the type travels in
 * `x-amzn-errortype`, the body is `{"message": "..."}`. Both AWS clients map the
 * header to their exception classes, so the name must be exact.
 */
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

/** What goes on the wire: never a stack trace, never an internal message for unexpected failures. */
export function toWireError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(
    'InternalServerErrorException',
    'The request processing has failed because of an unknown error, exception or failure.',
  );
}
