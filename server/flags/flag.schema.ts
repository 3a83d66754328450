import { z } from 'zod';

export const FlagReason = z.enum(['spam', 'abuse', 'off_topic', 'other']).meta({
  description: 'spam: advertising or bots; abuse: harassment, hate, threats; off_topic: not about the article; other: explain in the note',
});
export type FlagReason = z.infer<typeof FlagReason>;

export const CreateFlagSchema = z.object({
  reason: FlagReason,
  note: z.string().trim().max(500).nullish().meta({ description: 'What the moderators should know (never shown publicly)' }),
});
export type CreateFlagInput = z.infer<typeof CreateFlagSchema>;

export const FlagViewSchema = z.object({
  flag: z.object({ commentId: z.string(), reason: FlagReason, note: z.string().nullable(), createdAt: z.iso.datetime() }),
  commenterToken: z.string().optional().meta({ description: 'Returned once, when this report created the reader’s identity' }),
});
