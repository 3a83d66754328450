import { z } from 'zod';
import { ShownVoteSchema } from '../polls/poll.schema';
import { stripFormatCharacters } from '../text';
import { OptionalWebsiteSchema } from '../website';

export const CommentIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a comment id');

/**
 * Plain single-line text for names: no control characters, no markup meaning, and no invisible
 * format characters (a bidi override makes "Alice\u202Eecila" read as someone else).
 */
const PlainLine = (max: number) =>
  z
    .string()
    .transform(stripFormatCharacters)
    .pipe(z.string().trim().max(max))
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must be a single line of text');

export const CreateCommentSchema = z.object({
  body: z
    .string()
    .refine((v) => v.trim().length > 0, 'must not be empty')
    .pipe(z.string().max(50_000))
    .meta({
      description:
        'Plain text with a small Markdown subset (paragraphs, line breaks, emphasis, links, inline code, quotes); the site sets the maximum length (default 10,000)',
    }),
  parentId: CommentIdParam.nullish().meta({ description: 'The comment this one replies to (same thread)' }),
  name: PlainLine(80).nullish().meta({ description: 'Shown with the comment; "Anonymous" when none' }),
  email: z
    .email('must be an email address')
    .max(254)
    .nullish()
    .or(z.literal('').transform(() => null))
    .meta({ description: 'Never published' }),
  website: OptionalWebsiteSchema.meta({ description: 'An absolute http(s) URL on a domain name or an IP address; empty for none' }),
  notify: z
    .enum(['replies', 'thread'])
    .optional()
    .meta({
      description:
        'Email me replies to this comment, or every new comment in the thread. Needs an email, in the post or the profile (400 at `email` without one); the first mail to an address only asks to confirm it. Ignored when the server sends no mail.',
    }),
  lang: z.enum(['en', 'fr']).optional().meta({ description: 'The language of those mails; default: the site’s' }),
  /** The honeypot field: invisible to people, filled by naive bots. */
  hp: z.string().max(1000).optional().meta({ description: 'Honeypot: a form field hidden from people; leave it empty' }),
  /** Milliseconds the form was open before sending, measured by the widget. */
  elapsedMs: z
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: 'How long the form was open before it was sent, in milliseconds (the widget measures it)' }),
  /** The proof of work: never a reason to refuse the post, whatever it holds (SPEC §13). */
  altcha: z
    .string()
    .optional()
    // Not even a string: kept as a wrong proof, which weighs like any other.
    .catch('not a solution')
    .meta({
      description:
        'The proof of work: base64 of the solved challenge `{algorithm, challenge, number, salt, signature}` (see `GET /threads/{threadId}/challenge`). Missing or wrong, the post is still taken: its risk gets the reason `no_proof`.',
    }),
});
export type CreateCommentInput = z.infer<typeof CreateCommentSchema>;

export const SortSchema = z.enum(['oldest', 'newest', 'top']);
export type Sort = z.infer<typeof SortSchema>;

export const CommentFilterSchema = z.enum(['featured', 'answered', 'unanswered']);
export type CommentFilter = z.infer<typeof CommentFilterSchema>;

export const ListCommentsQuery = z.object({
  sort: SortSchema.default('oldest'),
  filter: CommentFilterSchema.optional().meta({
    description:
      '`featured`: the thread’s picks (staff featured them), at any depth, without their replies; `answered` / `unanswered`: a Q&A thread’s questions with or without an answer. Without a filter a Q&A thread lists answered questions first.',
  }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

export const EditCommentSchema = z.object({
  body: CreateCommentSchema.shape.body,
});
export type EditCommentInput = z.infer<typeof EditCommentSchema>;

export const RepliesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

// Responses. They document the API (OpenAPI) and a test holds real responses to them.

export const CommentViewSchema = z
  .object({
    id: z.string(),
    threadId: z.string(),
    parentId: z.string().nullable(),
    replyToId: z.string().nullable().meta({ description: 'The comment a reply answers when the depth cap attached it higher up' }),
    depth: z.number().int(),
    author: z.object({
      name: z.string().nullable().meta({ description: '"Anonymous" when none; null on a deleted comment' }),
      website: z.string().nullable(),
      badge: z.string().nullable().meta({ description: 'The staff role of a member’s comment' }),
      readerBadge: z.string().optional().meta({ description: 'Only for a reader signed in with the publisher’s account: their badge (e.g. "Subscriber"), plain text, never a staff role' }),
    }),
    bodyHtml: z.string().meta({ description: 'Sanitised HTML; empty on a deleted comment' }),
    createdAt: z.iso.datetime(),
    editedAt: z.iso.datetime().nullable(),
    status: z.enum(['pending', 'approved', 'rejected', 'deleted']),
    featured: z.boolean().meta({ description: 'A pick: staff featured it' }),
    answerId: z.string().optional().meta({ description: 'On an answered question of a Q&A thread: the staff reply that answers it' }),
    reactionCount: z.number().int(),
    replyCount: z.number().int(),
    seq: z.number().int(),
    mine: z.literal(true).optional().meta({ description: 'The caller wrote it' }),
    reacted: z.literal(true).optional().meta({ description: 'The caller likes it' }),
    flagged: z.literal(true).optional().meta({ description: 'The caller reported it' }),
    editableUntil: z.iso.datetime().optional().meta({ description: 'On the caller’s own comment: the end of its edit window' }),
    bodySrc: z.string().optional().meta({ description: 'With editableUntil: the text as you wrote it, to edit' }),
    vote: ShownVoteSchema.nullable()
      .optional()
      .meta({ description: 'The author’s choice in the thread’s poll, when they chose to show it (null in a live event: no longer shown)' }),
  })
  .meta({ id: 'Comment' });

export const CommentWithRepliesSchema = CommentViewSchema.extend({
  replies: z.object({ items: z.array(CommentViewSchema), total: z.number().int(), nextCursor: z.string().nullable() }),
}).meta({ id: 'CommentWithReplies' });

export const CommentPageSchema = z.object({
  items: z.array(CommentWithRepliesSchema),
  nextCursor: z.string().nullable(),
  seq: z.number().int().meta({ description: 'The thread’s current event sequence number, for live catch-up' }),
});

export const CommentReplySchema = z.object({ comment: CommentViewSchema });
export const PostedCommentSchema = z.object({
  comment: CommentViewSchema,
  subscription: z
    .object({ scope: z.enum(['comment', 'thread']), confirmed: z.boolean() })
    .optional()
    .meta({ description: 'When `notify` was asked: unconfirmed until the reader follows the link mailed to them' }),
  commenterToken: z.string().optional().meta({ description: 'Returned once, on a commenter’s first write: keep it' }),
});
export const PermalinkSchema = z.object({
  comment: CommentViewSchema,
  parentIds: z.array(z.string()).meta({ description: 'Ancestors, top-level first' }),
});
export const RepliesPageSchema = z.object({ items: z.array(CommentViewSchema), nextCursor: z.string().nullable() });
