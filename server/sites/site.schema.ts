import { z } from 'zod';
import { RiskSettingsSchema } from '../abuse/abuse.schema';
import { SsoSettingsSchema } from '../sso/sso.schema';

export const ModerationMode = z.enum(['pre', 'post', 'first_time']);
export type ModerationMode = z.infer<typeof ModerationMode>;

/** An origin as browsers send it: scheme, host and port, nothing else. */
export const OriginSchema = z.string().refine((value) => {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === value;
  } catch {
    return false;
  }
}, 'must be an origin such as https://news.example (scheme, host and optional port, no path)');

/** Readers' reply mails: minutes a batching window lasts unless the site sets its own. */
export const REPLY_BATCH_MINUTES = 15;

/** Every setting has a default, so a site row with `{}` is complete. */
export const SiteSettingsSchema = z.object({
  moderation: ModerationMode.default('post'),
  blockedWords: z.array(z.string().min(1).max(100)).max(1000).default([]),
  heldWords: z.array(z.string().min(1).max(100)).max(1000).default([]),
  maxLinks: z.number().int().min(0).max(50).default(2),
  editWindowMinutes: z.number().int().min(0).max(10080).default(15),
  flagThreshold: z.number().int().min(1).max(100).default(3),
  maxDepth: z.number().int().min(0).max(20).default(5),
  maxBodyLength: z.number().int().min(10).max(50_000).default(10_000),
  allowAnonymous: z.boolean().default(true),
  requireName: z.boolean().default(false),
  requireEmail: z.boolean().default(false),
  /** Days network hashes and user agents are kept on comments (privacy/retention.service.ts). */
  retentionDays: z.number().int().min(1).max(3650).default(30),
  /** Days rejected and spam comments are kept before the retention job deletes them. */
  rejectedRetentionDays: z.number().int().min(1).max(3650).default(90),
  locale: z.enum(['en', 'fr']).default('en'),
  /** Readers' reply mails: the first reply opens a window of this many minutes; one mail at its end (0: at once). */
  replyBatchMinutes: z.number().int().min(0).max(1440).default(REPLY_BATCH_MINUTES),
  /**
   * Automatic slow mode (SPEC §11): when a thread takes this many posts within a minute (0: never),
   * each reader may post only once every `slowModeAutoSeconds`, until no minute has reached it for
   * `slowModeQuietMinutes`.
   */
  slowModeAutoPerMinute: z.number().int().min(0).max(10_000).default(20),
  slowModeAutoSeconds: z.number().int().min(5).max(3600).default(30),
  slowModeQuietMinutes: z.number().int().min(1).max(1440).default(10),
  /** Commenting closes by itself this many hours after a thread is created (0: never); set on threads created after it (SPEC §12). */
  closeAfterHours: z.number().int().min(0).max(87_600).default(0),
  /** Sign-in through the publisher's own accounts (SPEC §9). */
  sso: SsoSettingsSchema.prefault({}),
  /** Risk thresholds of the abuse defence (SPEC §11). */
  risk: RiskSettingsSchema.prefault({}),
});
export type SiteSettings = z.infer<typeof SiteSettingsSchema>;

export const SiteIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2–63 characters: lower-case letters, digits and dashes');

export const CreateSiteSchema = z.object({
  id: SiteIdSchema,
  name: z.string().trim().min(1).max(200),
  origins: z.array(OriginSchema).max(50).default([]),
  settings: SiteSettingsSchema.partial().default({}),
});
export type CreateSiteInput = z.infer<typeof CreateSiteSchema>;
