import { z } from 'zod';
import { isTimeZone } from './local-time';

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

export const ModeratorPrefsSchema = z.object({
  flagged: z.boolean().meta({ description: 'A mail as soon as a comment reaches the site’s flag threshold' }),
  digestHour: z.number().int().min(0).max(23).nullable().meta({ description: 'The local hour of the daily digest of the pending queue (skipped when it is empty); null: no digest' }),
  timeZone: z
    .string()
    .max(64)
    .refine((v) => isTimeZone(v), 'must be an IANA time zone name such as Europe/Paris')
    .meta({ description: 'An IANA time zone name, e.g. Europe/Paris' }),
  lang: z.enum(['en', 'fr']).optional(),
  webhookAlerts: z.boolean().optional().meta({ description: 'Admins: a mail when a webhook endpoint of the site is switched off after 3 days of failures (on unless turned off)' }),
});
export const ModeratorPrefsViewSchema = z.object({
  notifications: z.object({
    siteId: z.string(),
    flagged: z.boolean(),
    digestHour: z.number().int().nullable(),
    timeZone: z.string(),
    lang: z.string().nullable(),
    webhookAlerts: z.boolean(),
    updatedAt: z.string().nullable().meta({ description: 'When you last saved these choices; null: never (everything is off)' }),
    sendsMail: z.boolean().meta({ description: 'Whether this server sends mail at all (SMTP_URL is set); without it the choices cannot be saved' }),
  }),
});
