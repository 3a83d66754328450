/**
 * A logistic regression over the same features as the naive Bayes (bayes.ts), fitted from a site's
 * own samples (its moderators' decisions and the comments published a day without being taken
 * down). The naive Bayes judges each word by its own counts; the regression weighs the words of a
 * text against each other, which ranks the commercial mail and newsletters a site let through
 * apart from its spam a little better once the site has thousands of samples (docs/abuse.md).
 *
 * It cannot be moved by one decision the way counts are, so it is fitted again in the background
 * (abuse.job.ts) and only for a mature site (MATURE_AT texts learnt: signals/classifier.ts).
 * A short function of our own: the maintained regression packages for Node fit dense matrices,
 * and a site's vocabulary runs to hundreds of thousands of features, a few hundred per text.
 *
 * Stochastic gradient descent with AdaGrad step sizes and a little L2, over each text's distinct
 * features scaled by one over the square root of their number (a long text is not more certain for
 * being long); a fixed-seed shuffle makes every fit of the same samples the same.
 */
export interface Regression {
  bias: number;
  /** feature → weight; features not listed weigh nothing. */
  weights: Map<string, number>;
}

export interface LabelledFeatures {
  features: readonly string[];
  label: 'spam' | 'ham';
}

/** Passes over the samples, the L2 penalty and AdaGrad's base step: set on the public corpus's tuning splits. */
const EPOCHS = 20;
const L2 = 1e-4;
const RATE = 0.1;
/**
 * A feature must be in this many samples to be weighed (one seen once tells nothing of the next
 * text), and only the KEPT features that weigh most are kept: the model stays small (about 190 KB
 * stored) whatever the site's vocabulary. Set on the tuning splits, with the hold point
 * (signals/classifier.ts): every feature seen once weighed, 2.6 MB stored, caught no more spam.
 */
const MIN_SAMPLES = 2;
const KEPT = 10_000;
/** Samples between two pauses of `fitting` (each pause lets the process serve requests). */
const SLICE = 100;

/**
 * The fit, pausing (yielding) every SLICE samples so a server can run it between requests
 * (`fitRegression`); `fitRegressionNow` runs it in one go (the evaluation, tests).
 */
export function* fitting(samples: readonly LabelledFeatures[]): Generator<void, Regression> {
  const seen = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    for (const f of new Set(samples[i]!.features)) seen.set(f, (seen.get(f) ?? 0) + 1);
    if ((i + 1) % SLICE === 0) yield;
  }
  yield;
  const index = new Map<string, number>();
  for (const [f, n] of seen) if (n >= MIN_SAMPLES) index.set(f, index.size);
  yield;
  const docs: Int32Array[] = [];
  const ys = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const ids = new Set<number>();
    for (const f of samples[i]!.features) {
      const id = index.get(f);
      if (id !== undefined) ids.add(id);
    }
    docs.push(Int32Array.from(ids));
    ys[i] = samples[i]!.label === 'spam' ? 1 : 0;
    if ((i + 1) % SLICE === 0) yield;
  }
  const w = new Float64Array(index.size);
  const g2 = new Float64Array(index.size);
  let bias = 0;
  let biasG2 = 0;
  const order = Uint32Array.from(docs.keys());
  let seed = 7;
  let steps = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const d of order) {
      const x = docs[d]!;
      const scale = 1 / Math.sqrt(x.length || 1);
      let z = bias;
      for (const id of x) z += w[id]! * scale;
      const g = 1 / (1 + Math.exp(-z)) - ys[d]!;
      for (const id of x) {
        const gi = g * scale + L2 * w[id]!;
        g2[id]! += gi * gi;
        w[id]! -= (RATE * gi) / Math.sqrt(g2[id]! + 1e-8);
      }
      biasG2 += g * g;
      bias -= (RATE * g) / Math.sqrt(biasG2 + 1e-8);
      if (++steps % SLICE === 0) yield;
    }
  }
  const weights = new Map<string, number>();
  yield;
  // The KEPT weights largest in size (a numeric sort of a copy: fast, and no pause to speak of).
  const sizes = w.map(Math.abs).sort();
  const least = sizes.length > KEPT ? sizes[sizes.length - KEPT]! : 0;
  for (const [feature, id] of index) if (Math.abs(w[id]!) >= least && weights.size < KEPT) weights.set(feature, w[id]!);
  return { bias, weights };
}

export function fitRegressionNow(samples: readonly LabelledFeatures[]): Regression {
  const run = fitting(samples);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

/** The fit, letting the process serve other work between slices. */
export async function fitRegression(samples: readonly LabelledFeatures[]): Promise<Regression> {
  const run = fitting(samples);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The probability that a text with these features is spam. */
export function regressionProbability(model: Regression, features: readonly string[]): number {
  let sum = 0;
  let known = 0;
  for (const f of new Set(features)) {
    const w = model.weights.get(f);
    if (w === undefined) continue;
    sum += w;
    known++;
  }
  return 1 / (1 + Math.exp(-(model.bias + sum / Math.sqrt(known || 1))));
}

/** As stored (abuse_regressions.weights): weights rounded to five decimals. */
export function weightsJson(model: Regression): string {
  const out: Record<string, number> = {};
  for (const [f, w] of model.weights) out[f] = Math.round(w * 1e5) / 1e5;
  return JSON.stringify(out);
}
