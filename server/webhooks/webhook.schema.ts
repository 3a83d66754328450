import { z } from 'zod';
import { EVENT_TYPES } from './webhook.render';

export const EventTypeSchema = z.enum(EVENT_TYPES);
export const WebhookIdParam = z.string().min(1).max(64);
export const SlackUserId = z.string().regex(/^[UW][A-Z0-9]{2,30}$/, 'must be a Slack user id such as U0123ABCD');

const Url = z.string().min(1).max(2000);
const Events = z.array(EventTypeSchema).min(1).max(EVENT_TYPES.length);

export const CreateWebhookSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('standard').default('standard'),
    url: Url,
    events: Events,
    description: z.string().max(500).default(''),
    enabled: z.boolean().default(true),
  }).strict(),
  z.object({
    kind: z.literal('slack'),
    url: Url,
    /** Slack's signing secret of the app, for its button requests. */
    signingSecret: z.string().min(8).max(200),
    description: z.string().max(500).default(''),
    enabled: z.boolean().default(true),
  }).strict(),
]);
export type CreateWebhookInput = z.infer<typeof CreateWebhookSchema>;

export const UpdateWebhookSchema = z
  .object({
    url: Url.optional(),
    events: Events.optional(),
    description: z.string().max(500).optional(),
    enabled: z.boolean().optional(),
    signingSecret: z.string().min(8).max(200).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one of url, events, description, enabled, signingSecret');
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookSchema>;

export const DeliveryQuerySchema = z.object({
  status: z.enum(['ok', 'failed']).optional(),
  type: EventTypeSchema.optional(),
  eventId: z.string().max(64).optional(),
  before: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const SlackLinkSchema = z.object({ slackUserId: SlackUserId, memberId: z.string().min(1).max(64) }).strict();
