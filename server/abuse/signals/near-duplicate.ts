import { round } from './classifier';
import type { Signal } from './types';

/**
 * The same or nearly the same text, posted across the site by other commenters or from other
 * networks within the window: one or two could be a quote or a shared link; a handful is a campaign.
 */
export function nearDuplicateSignal(others: number, windowHours: number): Signal {
  if (others < 2) return null;
  const weight = others >= 4 ? 0.97 : others === 3 ? 0.8 : 0.5;
  return { code: 'near_duplicate', weight: round(weight), detail: `${others} other readers posted nearly the same text in the last ${windowHours} h` };
}
