import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Counts, emptyCounts } from './bayes';

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
export function basePart(): { counts: Counts; weight: number } {
  const counts = baseModel();
  return { counts, weight: BASE_WEIGHT_DOCS / Math.max(1, counts.spamDocs + counts.hamDocs) };
}
