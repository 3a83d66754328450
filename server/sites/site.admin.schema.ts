import { z } from 'zod';
import { RiskSettingsPatchSchema } from '../abuse/abuse.schema';
import { SsoSettingsPatchSchema } from '../sso/sso.schema';
import { OriginSchema, type SiteSettings, SiteSettingsSchema } from './site.schema';

/**
 * A partial settings object for PATCH: only the keys sent change. Built from the settings schema
 * without its defaults (which would otherwise reset every unsent key), and strict, so a misspelt
 * setting is a 400 rather than silently ignored.
 */
const patchShape = Object.fromEntries(
  Object.entries(SiteSettingsSchema.shape).map(([key, schema]) => [
    key,
    // A nested setting changes only the fields sent.
    key === 'sso' ? SsoSettingsPatchSchema.optional() : key === 'risk' ? RiskSettingsPatchSchema.optional() : (schema as unknown as z.ZodDefault<z.ZodType>).unwrap().optional(),
  ]),
);
export const SiteSettingsPatchSchema = z.strictObject(patchShape) as unknown as z.ZodType<Partial<SiteSettings>>;

export const UpdateSiteSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  origins: z.array(OriginSchema).max(50).optional(),
  settings: SiteSettingsPatchSchema.optional(),
});
export type UpdateSiteInput = z.infer<typeof UpdateSiteSchema>;

export const CreateKeySchema = z.object({
  name: z.string().trim().min(1).max(100).default('API key'),
});

export const KeyIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a key id');
