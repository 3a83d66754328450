import type { Signal } from './types';

/**
 * Below this probability the classifier's opinion is not worth a moderator's attention. Set on the
 * tuning splits: from 0.7, genuine comments quoting figures or a link (probability 0.7–0.9, the
 * evidence test barely past 0.5) were held as often as the spam it added was caught.
 */
const SHOWN_FROM = 0.9;
/**
 * The evidence test (bayes.ts `spamEvidence`) must lean to spam at all (0.5: it cannot tell) for
 * the classifier to count: a short comment with a word or two that spam also uses carries too
 * little evidence to hold anyone.
 */
export const EVIDENCE_FROM = 0.5;
/**
 * The classifier's score is the mean of its two opinions, the naive Bayes probability and the
 * evidence test. Its weight fades to 0 at SCORE_FROM; at HOLD_FROM it weighs the site's default
 * `holdAt` (0.6), enough to hold a comment alone; at SPAM_FROM the default `spamAt` (0.9); 1 at 1.
 * Set on the evaluation's tuning splits (`npm run eval:spam -- --dev`): holding from 0.75 catches
 * the most spam while holding no more genuine texts than before (at most 1%); sending to spam from
 * 0.9 sends no more genuine texts there than the previous rule did.
 */
export const HOLD_FROM = 0.75;
export const SPAM_FROM = 0.9;
const SCORE_FROM = 0.6;
const CURVE: ReadonlyArray<readonly [number, number]> = [
  [SCORE_FROM, 0],
  [HOLD_FROM, 0.6],
  [SPAM_FROM, 0.9],
  [1, 1],
];
/**
 * Until the site's model has learnt this many of the site's own texts, it judges by the shipped
 * model, learnt from mail, which reads ordinary news talk as spam too often ("An innocent remark
 * about the weather today" leans to spam on "today"): the evidence test must then lean to spam
 * past EVIDENCE_FROM_SHIPPED, and the classifier weighs at most CAP_UNTIL_LEARNT, enough to hold a
 * comment only with another signal (as before the mean of the two opinions was used).
 */
export const LEARNT_ENOUGH = 20;
/** By the shipped model alone, the probability from which it counts (0 there, CAP_UNTIL_LEARNT at most). */
const SHOWN_FROM_SHIPPED = 0.7;
const EVIDENCE_FROM_SHIPPED = 0.7;
const CAP_UNTIL_LEARNT = 0.45;

/**
 * A young site's model (from LEARNT_ENOUGH texts to YOUNG_UNTIL) knows few of its readers' words,
 * and its probabilities run high: its score counts YOUNG_MARGIN less at LEARNT_ENOUGH texts, the
 * margin shrinking to nothing at YOUNG_UNTIL. Set on the tuning splits (`npm run eval:spam -- --dev`
 * replays sites that learnt 20 to 60 texts, "young sites"): without it a site that had just learnt
 * 20 texts held 3.3% of genuine comments (3.2% at 25, 1.9% at 30 and 45); with it at most 0.71% at
 * every size, catching 49% of spam at 20 texts, 64% at 30, 78% at 45, 85% at 60.
 */
const YOUNG_MARGIN = 0.12;
export const YOUNG_UNTIL = LEARNT_ENOUGH + 80;

/** How much less a site that learnt `learnt` texts counts its classifier's score. */
export function youngMargin(learnt: number): number {
  if (learnt < LEARNT_ENOUGH || learnt >= YOUNG_UNTIL) return 0;
  return YOUNG_MARGIN * (1 - (learnt - LEARNT_ENOUGH) / (YOUNG_UNTIL - LEARNT_ENOUGH));
}

/** The classifier's score (the mean of probability and evidence) as a weight, along CURVE. */
export function classifierWeight(score: number): number {
  if (score <= SCORE_FROM) return 0;
  for (let i = 1; i < CURVE.length; i++) {
    const [x0, y0] = CURVE[i - 1]!;
    const [x1, y1] = CURVE[i]!;
    if (score <= x1) return y0 + ((y1 - y0) * (score - x0)) / (x1 - x0);
  }
  return 1;
}

/**
 * The site's text classifier (bayes.ts): its probability, only its clear leaning counts, and only
 * when the text carries evidence for it.
 */
export function classifierSignal(probability: number, evidence = 1, learnt = YOUNG_UNTIL): Signal {
  const shipped = learnt < LEARNT_ENOUGH;
  if (probability < (shipped ? SHOWN_FROM_SHIPPED : SHOWN_FROM) || evidence <= (shipped ? EVIDENCE_FROM_SHIPPED : EVIDENCE_FROM)) return null;
  // By the shipped model, its probability alone says how far it leans (as it always did), capped.
  const weight = shipped ? Math.min((probability - SHOWN_FROM_SHIPPED) / (1 - SHOWN_FROM_SHIPPED), CAP_UNTIL_LEARNT) : classifierWeight((probability + evidence) / 2 - youngMargin(learnt));
  if (weight <= 0) return null;
  const percent = Math.round(probability * 100);
  const detail = shipped ? `reads like spam (${percent}%), by the shipped model: this site has taught it little yet` : `reads like spam this site rejected (${percent}%)`;
  return { code: 'classifier', weight: round(weight), detail };
}

export const round = (x: number) => Math.round(x * 1000) / 1000;
