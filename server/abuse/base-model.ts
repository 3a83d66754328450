import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Counts, emptyCounts, type Part } from './bayes';
import { LEARNT_ENOUGH } from './signals/classifier';

/** The shipped model's file: totals and `[feature, spam, ham]` rows (scripts/train-base-model.ts). */
export interface BaseModelFile {
  corpus: string;
  spamDocs: number;
  hamDocs: number;
  spamTokens: number;
  hamTokens: number;
  features: Array<[string, number, number]>;
}

export const BASE_MODEL_PATH = path.join(__dirname, 'base-model.json');

export function countsOf(file: BaseModelFile): Counts {
  const counts = emptyCounts();
  Object.assign(counts, { spamDocs: file.spamDocs, hamDocs: file.hamDocs, spamTokens: file.spamTokens, hamTokens: file.hamTokens });
  for (const [f, s, h] of file.features) counts.features.set(f, [s, h]);
  return counts;
}

let base: Counts | undefined;
/** Read once per process; every site's model starts from it. */
export function baseModel(): Counts {
  base ??= countsOf(JSON.parse(readFileSync(BASE_MODEL_PATH, 'utf8')) as BaseModelFile);
  return base;
}

/**
 * The shipped model counts as this many texts in all, however many it was trained on: mail is not
 * comments, so a site's own decisions soon outweigh it.
 */
export const BASE_WEIGHT_DOCS = 20;
/**
 * Once the site has taught its model (LEARNT_ENOUGH of its own texts), the shipped model speaks as
 * this many texts on a word the site has not met yet, and fades as the site meets the word: at
 * BASE_FADE_AFTER of the site's texts with the word, half as loud. A site that never met
 * "subscribe" or "mentor" learns what mail says of them; a word the site has seen in its own
 * comments ("today", figures) is judged by the site. Set on the tuning splits (`npm run eval:spam
 * -- --dev`): 50 texts fading after 3 caught 2.7% more of the comments corpus's spam with no more
 * genuine comments held; 50 texts for every word held 3% of them (2.9% for 20 plus 80 on unseen
 * words alone). Not before the site has taught it: judged by the shipped model alone, every word is
 * one the site has not met, and a new site would see 21 of its 167 genuine comments marked (5
 * before), enough to hold them without a proof of work.
 */
export const BASE_FEATURE_DOCS = 50;
export const BASE_FADE_AFTER = 3;
/** The shipped model as a part of a site's model, for a site that learnt `learnt` texts of its own. */
export function basePart(learnt = 0): Part {
  const counts = baseModel();
  const docs = Math.max(1, counts.spamDocs + counts.hamDocs);
  const weight = BASE_WEIGHT_DOCS / docs;
  if (learnt < LEARNT_ENOUGH) return { counts, weight, covers: learntFromMail };
  return { counts, weight, covers: learntFromMail, fade: { weight: BASE_FEATURE_DOCS / docs, after: BASE_FADE_AFTER } };
}

/**
 * What the shipped model learns from mail: not the texts' shapes or link domains (`s:`, `d:`), which
 * are left to each site (in mail any link is suspect, in comments it is not).
 */
export function learntFromMail(feature: string): boolean {
  return !feature.startsWith('s:') && !feature.startsWith('d:');
}
