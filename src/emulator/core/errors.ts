/**
 * Genesys' `ErrorBody`: every API error leaves through `ApiError` and is rendered in one place (core/respond.ts),
 * like moto's exception classes carrying TYPE/STATUS.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly params?: { template: string; values: Record<string, string> },
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  contextId: string;
  messageWithParams?: string;
  messageParams?: Record<string, string>;
  details: unknown[];
  errors: unknown[];
}

export function errorBody(error: ApiError, contextId: string): ErrorBody {
  return {
    message: error.message,
    code: error.code,
    status: error.status,
    contextId,
    ...(error.params ? { messageWithParams: error.params.template, messageParams: error.params.values } : {}),
    details: [],
    errors: [],
  };
}

/** Builds a message from a `{name}` template so `message` and `messageWithParams` always agree. */
export function withParams(status: number, code: string, template: string, values: Record<string, string>): ApiError {
  const message = template.replace(/\{(\w+)\}/g, (m, key: string) => values[key] ?? m);
  return new ApiError(status, code, message, { template, values });
}

export const badRequest = (message: string, code = 'bad.request'): ApiError => new ApiError(400, code, message);
export const invalidParam = (name: string, value: string, why = ''): ApiError =>
  withParams(400, 'invalid.query.param.value', `Value [{value}] is not valid for parameter [{name}].${why ? ` ${why}` : ''}`, { name, value });
export const missingParam = (name: string): ApiError =>
  withParams(400, 'invalid.query.param.value', 'The required parameter [{name}] is missing.', { name });
export const notFound = (message = 'The requested resource was not found.', code = 'not.found'): ApiError =>
  new ApiError(404, code, message);
export const conflict = (code: string, template: string, values: Record<string, string>): ApiError =>
  withParams(409, code, template, values);
export const tooLarge = (limit: number): ApiError =>
  new ApiError(413, 'response.entity.too.large', `The request entity is larger than the maximum of ${limit} bytes.`);
