import type { Signal } from './types';

/** Below this the classifier's opinion is not worth a moderator's attention. */
const SHOWN_FROM = 0.7;
/**
 * The evidence test (bayes.ts `spamEvidence`) must lean to spam more than this for the
 * classifier to count at all: a short comment with a word or two that spam also uses carries too
 * little evidence to hold anyone (set on the evaluation's tuning split).
 */
export const EVIDENCE_FROM = 0.7;

/**
 * The site's text classifier (bayes.ts): its probability, only its clear leaning counts, and only
 * when the text carries enough evidence for it.
 */
export function classifierSignal(probability: number, evidence = 1): Signal {
  if (probability < SHOWN_FROM || evidence <= EVIDENCE_FROM) return null;
  // Only a clear lean counts: a text that reads a little like spam is not held for that alone.
  const weight = (probability - SHOWN_FROM) / (1 - SHOWN_FROM);
  return { code: 'classifier', weight: round(weight), detail: `reads like spam this site rejected (${Math.round(probability * 100)}%)` };
}

export const round = (x: number) => Math.round(x * 1000) / 1000;
