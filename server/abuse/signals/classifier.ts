import type { Signal } from './types';

/** Below this the classifier's opinion is not worth a moderator's attention. */
const SHOWN_FROM = 0.5;

/** The site's text classifier (bayes.ts): its probability, its probability is its weight. */
export function classifierSignal(probability: number): Signal {
  if (probability < SHOWN_FROM) return null;
  return { code: 'classifier', weight: round(probability), detail: `reads like spam this site rejected (${Math.round(probability * 100)}%)` };
}

export const round = (x: number) => Math.round(x * 1000) / 1000;
