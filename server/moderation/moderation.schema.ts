import { z } from 'zod';
import { CommentIdParam } from '../comments/comment.schema';
import { MemberIdParam } from '../members/member.schema';
import { ThreadIdParam } from '../threads/thread.schema';

export const SiteQuery = z.string().min(1).max(63);

export const QueueSchema = z.enum(['pending', 'flagged', 'spam', 'rejected']);
export type Queue = z.infer<typeof QueueSchema>;

export const QueuesQuery = z.object({ site: SiteQuery });

export const QueueListQuery = z.object({
  site: SiteQuery,
  queue: QueueSchema.default('pending'),
  threadId: ThreadIdParam.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  /** `risk`: highest abuse risk first (SPEC §11); the default is newest first. */
  sort: z.enum(['newest', 'risk']).default('newest'),
});

export const ActionSchema = z.enum(['approve', 'reject', 'spam', 'restore', 'feature', 'unfeature']);
export type Action = z.infer<typeof ActionSchema>;

const Reason = z.string().trim().max(500).optional();

export const DecisionSchema = z.object({
  action: ActionSchema,
  reason: Reason,
  /**
   * The comment's `version` as the moderator saw it. When given, a decision on a comment that
   * changed since (someone else decided it) is a 409 rather than a second decision.
   */
  version: z.number().int().min(0).optional(),
});
export type DecisionInput = z.infer<typeof DecisionSchema>;

export const BulkDecisionSchema = z.object({
  ids: z
    .array(CommentIdParam)
    .min(1)
    .max(100)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
  action: ActionSchema,
  reason: Reason,
});

export const CreateBanSchema = z
  .object({
    site: SiteQuery,
    /** Ban this commenter… */
    commenterId: z.string().regex(/^[0-9a-z]{16}$/, 'is not a commenter id').optional(),
    /** …or the author (scope `commenter`) or network (scope `network`) of this comment. */
    commentId: CommentIdParam.optional(),
    scope: z.enum(['commenter', 'network']).default('commenter'),
    /** Omitted or null: for ever. */
    durationHours: z.number().int().min(1).max(24 * 3650).nullish(),
    reason: Reason,
    /** Also reject their comments still waiting in the pending queue. */
    rejectPending: z.boolean().default(false),
  })
  .refine((v) => (v.commenterId ? 1 : 0) + (v.commentId ? 1 : 0) === 1, {
    message: 'give exactly one of commenterId or commentId',
    path: ['commenterId'],
  })
  .refine((v) => v.scope !== 'network' || v.commentId, {
    message: 'a network ban names one of their comments (commentId)',
    path: ['commentId'],
  });
export type CreateBanInput = z.infer<typeof CreateBanSchema>;

export const BanIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a ban id');

export const BanListQuery = z.object({
  site: SiteQuery,
  active: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

export const LogQuery = z.object({
  site: SiteQuery,
  commentId: CommentIdParam.optional(),
  /** Everything done about one commenter (their comments' decisions, bans): the dashboard's history. */
  commenterId: z.string().regex(/^[0-9a-z]{16}$/, 'is not a commenter id').optional(),
  action: z.string().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d{1,18}$/, 'is not a cursor from this list').optional(),
});

/** A member's own post: the reader form minus the reader-only fields. */
export const MemberPostSchema = z.object({
  body: z.string().refine((v) => v.trim().length > 0, 'must not be empty').pipe(z.string().max(50_000)),
  parentId: CommentIdParam.nullish(),
  /** API keys only: the member the key posts for (their name and badge are shown). */
  memberId: MemberIdParam.optional(),
});
