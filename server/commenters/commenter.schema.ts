import { z } from 'zod';
import { CreateCommentSchema } from '../comments/comment.schema';

/** The same fields, checked the same way, as on the comment form. `null` or "" clears a field. */
export const UpdateProfileSchema = z
  .object({
    name: CreateCommentSchema.shape.name,
    email: CreateCommentSchema.shape.email,
    website: CreateCommentSchema.shape.website,
    showVote: z.boolean().meta({ description: 'Show your choice in a thread’s poll next to your comments there (off by default)' }),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one of name, email, website, showVote');
export type UpdateProfileInput = z.infer<typeof UpdateProfileSchema>;

export const ProfileSchema = z.object({
  commenter: z.object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable().meta({ description: 'Never published; seen only by you and the site’s moderators' }),
    website: z.string().nullable(),
    showVote: z.boolean(),
    createdAt: z.iso.datetime(),
  }),
});
