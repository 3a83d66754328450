import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type ErrorKind, toAppError } from '../errors';

const STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function statusOf(err: AppError): number {
  return STATUS[err.kind];
}

export function errorBody(err: AppError) {
  return { error: { code: err.code, message: err.message, details: err.details } };
}

/**
 * What Express and body-parser throw (a status and a type), in the error contract; anything else is
 * left to the core mapping.
 */
function requestError(err: unknown): AppError | undefined {
  const e = err as { type?: string; status?: number; statusCode?: number; expose?: boolean; message?: string };
  switch (e?.type) {
    case 'entity.too.large':
      return new AppError('too_large', 'payload_too_large', 'The request body is too large.');
    case 'entity.parse.failed':
      return new AppError('validation', 'invalid_json', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media', 'unsupported_charset', 'Send the request body as UTF-8 JSON.');
    case 'request.aborted':
      return new AppError('validation', 'request_aborted', 'The request was aborted.');
  }
  const status = e?.status ?? e?.statusCode;
  if (status && status >= 400 && status < 500) {
    return new AppError('validation', 'bad_request', e.expose && e.message ? e.message : 'The request could not be understood.');
  }
  return undefined;
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const appError = toAppError(err, requestError);
  const status = statusOf(appError);
  // A lost database is a state, not a bug: one warning a request, with the driver's message, no stack.
  if (appError.kind === 'unavailable') req.log?.warn({ code: appError.code, cause: (err as Error)?.message }, 'request failed');
  else if (status >= 500) req.log?.error({ err, code: appError.code }, 'request failed');
  else req.log?.info({ code: appError.code }, 'request refused');
  if (res.headersSent) {
    res.end();
    return;
  }
  if (appError.retryAfter) res.setHeader('Retry-After', String(appError.retryAfter));
  res.status(status).json(errorBody(appError));
};

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: 'There is nothing at this address.', details: [] } });
};
