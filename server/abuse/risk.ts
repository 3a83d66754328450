import type { RiskReason } from '../../db/schema';
import type { Signal } from './signals/types';

export interface Risk {
  score: number;
  reasons: RiskReason[];
}

/**
 * Independent signals combine as a noisy OR: each one alone can carry the score as far as its
 * weight, and two together go further than either. The reasons are kept strongest first.
 */
export function combine(signals: readonly Signal[]): Risk {
  const reasons = signals.filter((s): s is RiskReason => !!s && s.weight > 0).sort((a, b) => b.weight - a.weight);
  const score = 1 - reasons.reduce((keep, r) => keep * (1 - Math.min(1, r.weight)), 1);
  return { score: Math.round(score * 1000) / 1000, reasons };
}

/** Trust (SPEC §11): at least three approved comments, and no rejection or spam in the last 30 days. */
export const TRUST_APPROVED = 3;
export const TRUST_DAYS = 30;
export function isTrusted(author: { approvedCount: number; takenDownRecently: number }): boolean {
  return author.approvedCount >= TRUST_APPROVED && author.takenDownRecently === 0;
}
