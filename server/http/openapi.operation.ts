import type { z } from 'zod';

/** One documented route: what it takes, what it answers. The reader and staff lists are made of these. */
/** `key`: the site's `sk_` key only (the publisher's server). */
export type Auth = 'none' | 'optional' | 'required' | 'staff' | 'key';

export interface OperationDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path under /api/v1 (`:param`). */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  idempotent?: boolean;
  /** Answers `If-None-Match` with 304 when its `ETag` still matches. */
  conditional?: boolean;
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body is a form (application/x-www-form-urlencoded), not JSON (SPEC §13 "Bodies that are not JSON"). */
  form?: boolean;
  ok: { status: number; description: string; schema: z.ZodType };
  errors: number[];
}
