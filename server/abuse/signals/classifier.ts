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
 * Until the site's model has learnt this many of the site's own texts, it judges by the shipped
 * model, learnt from mail, which reads ordinary news talk as spam too often: the classifier then
 * weighs at most CAP_UNTIL_LEARNT, enough to hold a comment only with another signal.
 */
export const LEARNT_ENOUGH = 20;
const CAP_UNTIL_LEARNT = 0.45;

/**
 * The site's text classifier (bayes.ts): its probability, only its clear leaning counts, and only
 * when the text carries enough evidence for it.
 */
export function classifierSignal(probability: number, evidence = 1, learnt = LEARNT_ENOUGH): Signal {
  if (probability < SHOWN_FROM || evidence <= EVIDENCE_FROM) return null;
  // Only a clear lean counts: a text that reads a little like spam is not held for that alone.
  const lean = (probability - SHOWN_FROM) / (1 - SHOWN_FROM);
  const weight = learnt < LEARNT_ENOUGH ? Math.min(lean, CAP_UNTIL_LEARNT) : lean;
  const percent = Math.round(probability * 100);
  const detail = learnt < LEARNT_ENOUGH ? `reads like spam (${percent}%), by the shipped model: this site has taught it little yet` : `reads like spam this site rejected (${percent}%)`;
  return { code: 'classifier', weight: round(weight), detail };
}

export const round = (x: number) => Math.round(x * 1000) / 1000;
