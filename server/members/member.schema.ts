import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password';

export const RoleSchema = z.enum(['admin', 'moderator', 'journalist']);
export type Role = z.infer<typeof RoleSchema>;

/** Loose on purpose: staff addresses such as `admin@localhost` are fine; it is a login name. */
export const MemberEmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address');

export const NewPasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH);

export const MemberNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must be a single line of text');

export const LoginSchema = z.object({
  email: z.string().max(254),
  // Bounded so a huge password cannot be used to burn CPU in the hash.
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

export const ChangePasswordSchema = z.object({
  currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  newPassword: NewPasswordSchema,
});

export const SetPasswordSchema = z.object({
  token: z.string().min(1).max(100),
  password: NewPasswordSchema,
});

export const AddSiteMemberSchema = z.object({
  email: MemberEmailSchema,
  role: RoleSchema,
  /** For a new account; an existing account keeps its name. */
  name: MemberNameSchema.optional(),
});

export const MemberIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a member id');
