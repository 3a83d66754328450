/**
 * One error type with a stable `code`. The message is for a person; `details` are safe to show.
 * Nothing here knows about HTTP: http/errors.ts and realtime/acks.ts map `kind` to statuses and acks.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported_media'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds the client should wait (rate limits, outages). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const errors = {
  validation: (message: string, details: ErrorDetail[] = []) =>
    new AppError('validation', 'validation_failed', message, details),
  badRequest: (code: string, message: string, details: ErrorDetail[] = []) =>
    new AppError('validation', code, message, details),
  unauthenticated: (message = 'You need to sign in to do that.') =>
    new AppError('unauthenticated', 'unauthenticated', message),
  forbidden: (code: string, message: string) => new AppError('forbidden', code, message),
  notFound: (what: string) => new AppError('not_found', 'not_found', `${what} was not found.`),
  conflict: (code: string, message: string, details: ErrorDetail[] = []) =>
    new AppError('conflict', code, message, details),
  unprocessable: (code: string, message: string) => new AppError('unprocessable', code, message),
  rateLimited: (message: string, retryAfter: number) =>
    new AppError('rate_limited', 'rate_limited', message, [], Math.max(1, Math.ceil(retryAfter))),
  unavailable: (message = 'The service is temporarily unavailable. Please try again shortly.', retryAfter = 5) =>
    new AppError('unavailable', 'service_unavailable', message, [], retryAfter),
};

/** Errors thrown by the database drivers when the server cannot be reached or went away. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Cannot use a pool after calling end|PGlite is closed/i.test(
    message,
  );
}

/**
 * Turns anything thrown into the error contract. Never a stack trace; a 500 only for our own bugs.
 * `translate` names an adapter's own errors (HTTP: body-parser's) before the rest becomes internal.
 */
export function toAppError(err: unknown, translate?: (err: unknown) => AppError | undefined): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) {
    return new AppError('unavailable', 'database_unavailable', 'The database is unreachable right now. Please try again shortly.', [], 5);
  }
  return translate?.(err) ?? new AppError('internal', 'internal_error', 'Something went wrong on our side. It has been logged.');
}
