import { z } from 'zod';
import { DEFAULT_RISK } from './thresholds';

const threshold = z.number().min(0).max(1);

/** Site thresholds for the risk score (SPEC §13): at `holdAt` a comment waits for a moderator, at `spamAt` it goes to spam. */
export const RiskSettingsSchema = z
  .object({ holdAt: threshold.default(DEFAULT_RISK.holdAt), spamAt: threshold.default(DEFAULT_RISK.spamAt) })
  .refine((r) => r.holdAt <= r.spamAt, { message: 'holdAt must not be above spamAt', path: ['holdAt'] });
export type RiskSettings = z.infer<typeof RiskSettingsSchema>;

export const RiskSettingsPatchSchema = z.strictObject({ holdAt: threshold.optional(), spamAt: threshold.optional() });
