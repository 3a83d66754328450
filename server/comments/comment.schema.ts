import { z } from 'zod';
import { HttpUrlSchema } from '../threads/thread.schema';

export const CommentIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a comment id');

/** Plain single-line text for names: no control characters, no markup meaning. */
const PlainLine = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must be a single line of text');

export const CreateCommentSchema = z.object({
  body: z.string().refine((v) => v.trim().length > 0, 'must not be empty').pipe(z.string().max(50_000)),
  parentId: CommentIdParam.nullish(),
  name: PlainLine(80).nullish(),
  email: z.email('must be an email address').max(254).nullish().or(z.literal('').transform(() => null)),
  website: HttpUrlSchema.max(300).nullish().or(z.literal('').transform(() => null)),
  /** The honeypot field: invisible to people, filled by naive bots. */
  hp: z.string().max(1000).optional(),
  /** Milliseconds the form was open before sending, measured by the widget. */
  elapsedMs: z.number().int().min(0).optional(),
});
export type CreateCommentInput = z.infer<typeof CreateCommentSchema>;

export const SortSchema = z.enum(['oldest', 'newest', 'top']);
export type Sort = z.infer<typeof SortSchema>;

export const ListCommentsQuery = z.object({
  sort: SortSchema.default('oldest'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});
