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
  /**
   * The texts of the parts that count this feature: a part that leaves a kind of feature to the
   * others (the shipped model has no shapes or link domains) does not count its texts in that
   * feature's rate, or every shape would lean to whichever side the part's texts swell.
   */
  docsFor(label: 0 | 1, feature: string): number;
  tokens(label: 0 | 1): number;
  feature(f: string): readonly [number, number] | undefined;
  vocabulary(): number;
}

export interface Part {
  counts: Counts;
  /** How much one of its texts counts (the shipped model weighs less than the site's own decisions). */
  weight: number;
  /**
   * A part that speaks for a feature mostly until the others have seen it (the shipped model: a
   * word this site never met is judged by the mail it learnt from, a word the site decided on by
   * the site): its counts for a feature weigh `weight` × `fadeAfter` / (`fadeAfter` + the texts the
   * other parts have that feature in), `weight` itself in the totals.
   */
  fade?: { weight: number; after: number };
  /** The features it counts (all when absent). */
  covers?: (feature: string) => boolean;
}

export function modelOf(...input: Array<Counts | Part>): Model {
  const parts = input.map((p): Part => ('counts' in p ? p : { counts: p, weight: 1 }));
  const sum = (pick: (c: Counts) => number) => parts.reduce((s, p) => s + pick(p.counts) * p.weight, 0);
  const docs = [sum((c) => c.spamDocs), sum((c) => c.hamDocs)];
  const tokens = [sum((c) => c.spamTokens), sum((c) => c.hamTokens)];
  const vocab = Math.max(...parts.map((p) => p.counts.features.size), 1);
  const fading = parts.filter((p) => p.fade);
  const partial = parts.filter((p) => p.covers);
  const docsFor = (l: 0 | 1, f: string) => {
    let d = docs[l]!;
    for (const p of partial) if (!p.covers!(f)) d -= (l === 0 ? p.counts.spamDocs : p.counts.hamDocs) * p.weight;
    return d;
  };
  return {
    docs: (l) => docs[l]!,
    docsFor,
    tokens: (l) => tokens[l]!,
    vocabulary: () => vocab,
    feature(f) {
      let s = 0;
      let h = 0;
      let seen = false;
      for (const p of parts) {
        if (p.fade) continue;
        const c = p.counts.features.get(f);
        if (c) {
          s += c[0] * p.weight;
          h += c[1] * p.weight;
          seen = true;
        }
      }
      const others = s + h;
      for (const p of fading) {
        const c = p.counts.features.get(f);
        if (c) {
          const w = (p.fade!.weight * p.fade!.after) / (p.fade!.after + others);
          s += c[0] * w;
          h += c[1] * w;
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
  let words = 0;
  for (const f of features) {
    const c = model.feature(f);
    if (!c || c[0] + c[1] === 0) continue;
    evidence += perText(f)
      ? Math.log((c[0] + 1) / (model.docsFor(0, f) + 2)) - Math.log((c[1] + 1) / (model.docsFor(1, f) + 2))
      : Math.log((c[0] + 1) / denomSpam) - Math.log((c[1] + 1) / denomHam);
    seen++;
    if (!f.startsWith('s:')) words++;
  }
  // A text is not judged by its shape alone (`s:`): with no word the model knows, it cannot tell.
  if (words === 0) return 0.5;
  // A text the model knows only a word or two of is judged with less confidence.
  const logOdds = (evidence / Math.sqrt(seen)) * SCALE * (seen / (seen + SHRINK));
  return 1 / (1 + Math.exp(-logOdds));
}

/**
 * A text's shapes (`s:`), link domains (`d:`) and opening (`^`) say something about the text as a
 * whole, not about one of its words: each text has its few shapes (every text has a `s:caps` bin)
 * and one opening. Their rate is taken per text (the share of spam texts and of genuine texts that
 * have them), not per word as the words' is; per word, a shape every text has would lean to
 * whichever side writes fewer words per text (genuine comments), and a link in a short spam would
 * count for less than in a long one.
 */
const perText = (f: string) => f.startsWith('s:') || f.startsWith('d:') || f.startsWith('^');

/** Calibrates the averaged evidence (set by the evaluation, `npm run eval:spam`). */
const SCALE = 4;
const SHRINK = 3;

/**
 * How much evidence the text carries, as a second opinion on spamProbability, 0–1 and 0.5 when it
 * cannot tell: Robinson's method with Fisher's chi-squared combining (as in SpamBayes), which knows
 * what it does not know:
 * - each feature's spam probability (from the share of spam and of genuine texts containing it) is
 *   pulled towards 0.5 by how few texts it was seen in, so a word met twice says little;
 * - only features that lean clearly one way take part, at most MAX_CLUES of the strongest;
 * - the spam and genuine leanings are each combined as a chi-squared test and set against each
 *   other: a text with only a couple of weak clues (a short comment) stays near 0.5, a text where
 *   both sides find evidence stays near 0.5, and only many consistent clues go near 0 or 1.
 */
export function spamEvidence(model: Model, features: readonly string[], tuning: Partial<typeof TUNING> = {}): number {
  const t = { ...TUNING, ...tuning };
  const spamDocs = model.docs(0);
  const hamDocs = model.docs(1);
  if (spamDocs === 0 || hamDocs === 0) return 0.5;
  const clues: number[] = [];
  for (const f of features) {
    // A word's character n-grams echo the word: counted as clues of their own, one word would
    // look like several pieces of evidence.
    if (f.startsWith('#')) continue;
    const c = model.feature(f);
    if (!c) continue;
    const n = c[0] + c[1];
    if (n <= 0) continue;
    const spamRatio = c[0] / Math.max(1e-9, model.docsFor(0, f));
    const hamRatio = c[1] / Math.max(1e-9, model.docsFor(1, f));
    const p = spamRatio / (spamRatio + hamRatio);
    const shrunk = (t.strength * 0.5 + n * p) / (t.strength + n);
    if (Math.abs(shrunk - 0.5) >= t.minLean) clues.push(Math.min(0.99, Math.max(0.01, shrunk)));
  }
  if (clues.length === 0) return 0.5;
  clues.sort((a, b) => Math.abs(b - 0.5) - Math.abs(a - 0.5));
  const used = clues.slice(0, t.maxClues);
  let lnSpam = 0;
  let lnHam = 0;
  for (const p of used) {
    lnHam += Math.log(p);
    lnSpam += Math.log(1 - p);
  }
  const spam = 1 - chi2Q(-2 * lnSpam, 2 * used.length);
  const ham = 1 - chi2Q(-2 * lnHam, 2 * used.length);
  return (spam - ham + 1) / 2;
}

/** Set by the evaluation's tuning split (`npm run eval:spam -- --dev`), never by its test half. */
export const TUNING = {
  /** How many texts' worth of doubt each feature starts with (Robinson's s). */
  strength: 3,
  /** A feature leaning less than this far from 0.5 is left out. */
  minLean: 0.1,
  /** The strongest clues used. */
  maxClues: 150,
};

/** P(χ² ≥ x2) with an even number of degrees of freedom. */
function chi2Q(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}
