import { z } from 'zod';
import { ModerationMode } from '../sites/site.schema';
import { SLOW_MODE_MAX_SECONDS } from './slow-mode.rules';

/**
 * A preset's thread settings (SPEC §12): each one given is set on the thread when the preset is
 * applied; one left out is left as the thread has it. Closing is relative: `closeAfterHours` sets the
 * thread's close time that many hours after the preset is applied (null: takes its close time away).
 */
export const PresetSettingsSchema = z
  .strictObject({
    /** The thread's moderation mode; null: the site's. */
    mode: ModerationMode.nullable().optional(),
    /** Slow mode in seconds; 0 or null: off. */
    slowModeSeconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS).nullable().optional(),
    linksAllowed: z.boolean().optional(),
    /** The reader format (`comments` or `qa`). */
    format: z.enum(['comments', 'qa']).optional(),
    /** Commenting closes this many hours after the preset is applied; null: no close time. */
    closeAfterHours: z.number().int().min(1).max(87_600).nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'set at least one of mode, slowModeSeconds, linksAllowed, format, closeAfterHours');
export type PresetSettings = z.infer<typeof PresetSettingsSchema>;

const PresetName = z.string().trim().min(1, 'is required').max(80);

export const CreatePresetSchema = z.strictObject({ name: PresetName, settings: PresetSettingsSchema });
export type CreatePresetInput = z.infer<typeof CreatePresetSchema>;

export const UpdatePresetSchema = z
  .strictObject({ name: PresetName.optional(), settings: PresetSettingsSchema.optional() })
  .refine((v) => Object.keys(v).length > 0, 'send name or settings');
export type UpdatePresetInput = z.infer<typeof UpdatePresetSchema>;

export const ApplyPresetSchema = z.strictObject({ presetId: z.string().min(1).max(64) });

export const PresetIdParam = z.string().min(1).max(64);

// Responses (OpenAPI).
export const PresetViewSchema = z
  .object({
    id: z.string(),
    siteId: z.string(),
    name: z.string(),
    settings: z.record(z.string(), z.unknown()).meta({ description: 'The preset’s settings, as created' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'ThreadPreset' });
