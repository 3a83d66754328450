import { z } from 'zod';
import { CreateCommentSchema } from '../comments/comment.schema';

/** The same fields, checked the same way, as on the comment form. `null` or "" clears a field. */
export const UpdateProfileSchema = z
  .object({
    name: CreateCommentSchema.shape.name,
    email: CreateCommentSchema.shape.email,
    website: CreateCommentSchema.shape.website,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one of name, email, website');
export type UpdateProfileInput = z.infer<typeof UpdateProfileSchema>;

export const ProfileSchema = z.object({
  commenter: z.object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable().meta({ description: 'Never published; seen only by you and the site’s moderators' }),
    website: z.string().nullable(),
    createdAt: z.iso.datetime(),
  }),
});
