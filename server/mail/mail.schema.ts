import { z } from 'zod';

export const ConfirmTokenQuery = z.object({ token: z.string().regex(/^mc_[\w-]{32}$/, 'is not a confirmation token') });
export const UnsubscribeTokenQuery = z.object({ token: z.string().min(20).max(120) });

export const SubscribeSchema = z.object({
  threadId: z.string().regex(/^[0-9a-z]{16}$/, 'is not a thread id'),
  commentId: z.string().regex(/^[0-9a-z]{16}$/, 'is not a comment id').nullish().meta({ description: 'Replies to this comment only; none: every new comment in the thread' }),
  email: z.email('must be an email address').max(254).optional().meta({ description: 'Default: the email of your profile' }),
  lang: z.enum(['en', 'fr']).optional().meta({ description: 'The language of the mails; default: the site’s' }),
});
export type SubscribeInput = z.infer<typeof SubscribeSchema>;

export const SubscriptionIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a subscription id');

export const SubscriptionViewSchema = z.object({
  id: z.string(),
  siteId: z.string(),
  threadId: z.string(),
  commentId: z.string().nullable(),
  scope: z.enum(['comment', 'thread']),
  email: z.string(),
  confirmed: z.boolean().meta({ description: 'False until the address is confirmed from the mail sent to it; nothing else is sent before' }),
  thread: z.object({ title: z.string().nullable(), url: z.string().nullable() }),
  createdAt: z.string(),
});
export const SubscriptionListSchema = z.object({ items: z.array(SubscriptionViewSchema) });
export const SubscribedSchema = z.object({ subscription: SubscriptionViewSchema });
export const MailResultSchema = z.object({
  result: z.object({ done: z.boolean(), scope: z.string().optional(), site: z.string().optional() }),
});
