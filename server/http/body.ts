import express, { type RequestHandler } from 'express';
import { AppError } from '../errors';

export const BODY_LIMIT = '64kb';
const decoder = new TextDecoder('utf-8', { fatal: true });

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Writes must be JSON: anything else is a 415 before a byte of it is parsed. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (!hasBody(req)) return next();
  if (!req.is('application/json')) {
    return next(new AppError('unsupported_media', 'unsupported_media_type', 'Send the request body as application/json.'));
  }
  next();
};

export const jsonParser = express.json({
  limit: BODY_LIMIT,
  strict: true,
  type: 'application/json',
  verify: (_req, _res, buf) => {
    try {
      decoder.decode(buf);
    } catch {
      throw new AppError('validation', 'invalid_utf8', 'The request body is not valid UTF-8.');
    }
  },
});

/**
 * Values the application must never store or walk into: prototype keys (a pollution vector), NUL
 * bytes (Postgres refuses them in text) and lone surrogates (not representable in UTF-8).
 */
function findHostile(value: unknown, path: string, depth = 0): { path: string; message: string } | null {
  if (depth > 32) return { path, message: 'is nested too deeply' };
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { path, message: 'contains a NUL character' };
    if (!value.isWellFormed()) return { path, message: 'contains an unpaired surrogate (not valid Unicode)' };
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findHostile(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') return { path: `${path}.${key}`, message: 'is not an allowed key' };
      const keyProblem = findHostile(key, path, depth + 1);
      if (keyProblem) return { path, message: `has a key that ${keyProblem.message}` };
      const found = findHostile((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

export const rejectHostileInput: RequestHandler = (req, _res, next) => {
  const problem = findHostile(req.body, 'body') ?? findHostile(req.query, 'query');
  if (problem) {
    return next(new AppError('validation', 'invalid_input', 'The request contains characters or keys that are not allowed.', [problem]));
  }
  next();
};
