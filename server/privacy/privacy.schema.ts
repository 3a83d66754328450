import { z } from 'zod';

export const PolicyQuery = z.object({
  site: z.string().min(1).max(63),
  lang: z.enum(['en', 'fr']).optional(),
});

export const CreateRequestSchema = z.object({
  site: z.string().min(1).max(63),
  email: z.email('must be an email address').max(254),
  kind: z.enum(['export', 'erase']),
});
export type CreateRequestInput = z.infer<typeof CreateRequestSchema>;

/** The secret of a mailed link, in the query string (paths are logged, query strings never are). */
export const LinkQuery = z.object({
  token: z.string().regex(/^pl_[\w-]{20,80}$/, 'is not a valid link'),
});

export const RequestIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a request id');
