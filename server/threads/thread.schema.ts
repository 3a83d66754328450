import { z } from 'zod';

export const HttpUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const u = new URL(value);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

export const ResolveThreadSchema = z.object({
  site: z.string().min(1).max(63),
  key: z.string().trim().min(1).max(500),
  url: HttpUrlSchema.optional(),
  title: z.string().trim().max(300).optional(),
});
export type ResolveThreadInput = z.infer<typeof ResolveThreadSchema>;

export const ThreadIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a thread id');

// Responses (OpenAPI; a test holds real responses to them).
export const ThreadViewSchema = z
  .object({
    id: z.string(),
    siteId: z.string(),
    key: z.string(),
    url: z.string().nullable(),
    title: z.string().nullable(),
    state: z.enum(['open', 'closed']).meta({ description: 'Whether readers may post now: staff’s state, then the close and reopen times that have passed' }),
    mode: z.enum(['pre', 'post', 'first_time']).nullable().meta({ description: 'null: the site’s moderation mode applies' }),
    commentCount: z.number().int(),
    slowModeSeconds: z.number().int().nullable().meta({ description: 'Slow mode set by staff: each reader posts at most once every this many seconds; null: off' }),
    slowMode: z
      .object({ seconds: z.number().int(), automatic: z.boolean() })
      .nullable()
      .meta({ description: 'Slow mode as it applies now: staff’s, or switched on by itself while the thread posts faster than the site’s threshold; null: off' }),
    closesAt: z.iso.datetime().nullable().meta({ description: 'Commenting closes by itself at this time (a post at or after it is refused with 403 `thread_closed`); null: no close time' }),
    reopensAt: z.iso.datetime().nullable().meta({ description: 'Commenting reopens by itself at this time; null: no reopen time' }),
    linksAllowed: z.boolean().meta({ description: 'false: every reader’s comment with a link is held for a moderator' }),
    seq: z.number().int(),
    format: z.enum(['comments', 'qa']).meta({ description: '`qa`: readers’ top-level comments are questions; a staff reply answers one' }),
    picks: z.number().int().meta({ description: 'The thread’s picks: comments staff featured that are published' }),
    createdAt: z.iso.datetime(),
    polls: z.array(z.unknown()).meta({ description: 'The thread’s polls, each as GET /polls/:pollId returns it' }),
  })
  .meta({ id: 'Thread' });
export const ThreadReplySchema = z.object({
  thread: ThreadViewSchema,
  sso: z
    .object({ mode: z.enum(['optional', 'required']), loginUrl: z.string().nullable(), logoutUrl: z.string().nullable() })
    .optional()
    .meta({ description: 'Only from POST /threads/resolve, and only when the site signs readers in with its own accounts' }),
  mail: z
    .literal(true)
    .optional()
    .meta({ description: 'Only from POST /threads/resolve, and only when the server sends email: the widget then offers to tell readers of new comments (`notify` on a post)' }),
});
