import { z } from 'zod';

export const PollIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a poll id');

const Label = z.string().trim().min(1).max(200);

export const PollVisibility = z.enum(['always', 'after_vote', 'after_close']);

export const CreatePollSchema = z
  .object({
    question: z.string().trim().min(1).max(500),
    options: z.array(Label).min(2, 'a poll needs at least 2 options').max(20, 'a poll has at most 20 options'),
    kind: z.enum(['single', 'multiple']).default('single'),
    maxChoices: z.number().int().min(1).max(20).optional(),
    visibility: PollVisibility.default('always'),
    closesAt: z.iso.datetime({ offset: true }).nullish(),
    networkCap: z.number().int().min(1).max(1000).default(5),
  })
  .superRefine((poll, ctx) => {
    const labels = poll.options.map((o) => o.toLowerCase());
    if (new Set(labels).size !== labels.length) ctx.addIssue({ code: 'custom', path: ['options'], message: 'options must be different' });
    if (poll.kind === 'single' && poll.maxChoices && poll.maxChoices !== 1) {
      ctx.addIssue({ code: 'custom', path: ['maxChoices'], message: 'a single-choice poll takes exactly 1 choice' });
    }
    if (poll.maxChoices && poll.maxChoices > poll.options.length) {
      ctx.addIssue({ code: 'custom', path: ['maxChoices'], message: 'cannot exceed the number of options' });
    }
    if (poll.closesAt && Date.parse(poll.closesAt) <= Date.now()) {
      ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'must be in the future' });
    }
  });
export type CreatePollInput = z.infer<typeof CreatePollSchema>;

export const UpdatePollSchema = z
  .object({
    question: z.string().trim().min(1).max(500).optional(),
    visibility: PollVisibility.optional(),
    closesAt: z.iso.datetime({ offset: true }).nullable().optional(),
    /** Close now (true) or reopen (false). */
    closed: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdatePollInput = z.infer<typeof UpdatePollSchema>;

export const VoteSchema = z.object({
  optionIds: z
    .array(z.string().regex(/^[0-9a-z]{16}$/, 'is not an option id'))
    .min(1, 'choose at least one option')
    .max(20)
    .refine((ids) => new Set(ids).size === ids.length, 'each option at most once'),
});
export type VoteInput = z.infer<typeof VoteSchema>;

// Responses (OpenAPI; a test holds real responses to them).

/** "voted: a wave of the wand" next to a comment whose author chose to show it. */
export const ShownVoteSchema = z.object({
  pollId: z.string(),
  options: z.array(z.string()).meta({ description: 'The labels of the options chosen, in the poll’s order' }),
});
export type ShownVote = z.output<typeof ShownVoteSchema>;

export const PollViewSchema = z
  .object({
    id: z.string(),
    threadId: z.string(),
    question: z.string(),
    kind: z.enum(['single', 'multiple']),
    maxChoices: z.number().int(),
    visibility: PollVisibility,
    state: z.enum(['open', 'closed']),
    closesAt: z.iso.datetime().nullable(),
    closedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    options: z.array(z.object({ id: z.string(), label: z.string(), votes: z.number().int().optional() })),
    results: z
      .object({ voters: z.number().int(), votes: z.record(z.string(), z.number().int()) })
      .nullable()
      .meta({ description: 'null while the results are not visible to the caller' }),
    myVote: z.array(z.string()).nullable().meta({ description: 'The option ids the caller chose' }),
  })
  .meta({ id: 'Poll' });
export const PollReplySchema = z.object({
  poll: PollViewSchema,
  commenterToken: z.string().optional().meta({ description: 'Returned once, when this vote created the reader’s identity' }),
});
