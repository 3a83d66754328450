/**
 * A multinomial naive Bayes over binary features (each feature of a text counted once), kept as
 * plain counts so a decision moves it by adding one text's features, and two models add up: the
 * shipped base model plus a site's own counts is the site's model. A short function of our own
 * rather than a package: the model must be incremental, additive and stored as rows.
 */
export interface Counts {
  spamDocs: number;
  hamDocs: number;
  spamTokens: number;
  hamTokens: number;
  /** feature → [spam, ham] */
  features: Map<string, [number, number]>;
}

export function emptyCounts(): Counts {
  return { spamDocs: 0, hamDocs: 0, spamTokens: 0, hamTokens: 0, features: new Map() };
}

/** Adds (sign 1) or takes away (sign −1) one labelled text. */
export function learn(counts: Counts, features: readonly string[], label: 'spam' | 'ham', sign: 1 | -1 = 1): void {
  const spam = label === 'spam' ? sign : 0;
  const ham = label === 'ham' ? sign : 0;
  counts.spamDocs += spam;
  counts.hamDocs += ham;
  counts.spamTokens += spam * features.length;
  counts.hamTokens += ham * features.length;
  for (const f of features) {
    const c = counts.features.get(f) ?? [0, 0];
    c[0] = Math.max(0, c[0] + spam);
    c[1] = Math.max(0, c[1] + ham);
    counts.features.set(f, c);
  }
}

/** A view of several sets of counts added together, each scaled by its weight, without copying any. */
export interface Model {
  docs(label: 0 | 1): number;
  tokens(label: 0 | 1): number;
  feature(f: string): readonly [number, number] | undefined;
  vocabulary(): number;
}

export interface Part {
  counts: Counts;
  /** How much one of its texts counts (the shipped model weighs less than the site's own decisions). */
  weight: number;
}

export function modelOf(...input: Array<Counts | Part>): Model {
  const parts = input.map((p): Part => ('counts' in p ? p : { counts: p, weight: 1 }));
  const sum = (pick: (c: Counts) => number) => parts.reduce((s, p) => s + pick(p.counts) * p.weight, 0);
  const docs = [sum((c) => c.spamDocs), sum((c) => c.hamDocs)];
  const tokens = [sum((c) => c.spamTokens), sum((c) => c.hamTokens)];
  const vocab = Math.max(...parts.map((p) => p.counts.features.size), 1);
  return {
    docs: (l) => docs[l]!,
    tokens: (l) => tokens[l]!,
    vocabulary: () => vocab,
    feature(f) {
      let s = 0;
      let h = 0;
      let seen = false;
      for (const p of parts) {
        const c = p.counts.features.get(f);
        if (c) {
          s += c[0] * p.weight;
          h += c[1] * p.weight;
          seen = true;
        }
      }
      return seen ? [s, h] : undefined;
    },
  };
}

/**
 * The probability that a text is spam. Features the model never saw say nothing (rather than
 * pulling towards the larger class); the evidence is averaged per feature and scaled, so a long
 * text is not more certain than a short one merely for being long.
 */
export function spamProbability(model: Model, features: readonly string[]): number {
  const spamDocs = model.docs(0);
  const hamDocs = model.docs(1);
  if (spamDocs === 0 || hamDocs === 0) return 0.5;
  const v = model.vocabulary();
  const denomSpam = model.tokens(0) + v;
  const denomHam = model.tokens(1) + v;
  let evidence = 0;
  let seen = 0;
  for (const f of features) {
    const c = model.feature(f);
    if (!c || c[0] + c[1] === 0) continue;
    evidence += Math.log((c[0] + 1) / denomSpam) - Math.log((c[1] + 1) / denomHam);
    seen++;
  }
  if (seen === 0) return 0.5;
  // A text the model knows only a word or two of is judged with less confidence.
  const logOdds = (evidence / Math.sqrt(seen)) * SCALE * (seen / (seen + SHRINK));
  return 1 / (1 + Math.exp(-logOdds));
}

/** Calibrates the averaged evidence (set by the evaluation, `npm run eval:spam`). */
const SCALE = 4;
const SHRINK = 3;
