import { spamEvidence, spamProbability, type Model } from './bayes';
import { CONTACT_FEATURE, contactDetails, featuresOf, linkDomains } from './features';
import { type Regression, regressionProbability } from './regression';
import { combine, type Risk } from './risk';
import { classifierSignal } from './signals/classifier';
import { contactSignal } from './signals/contact';
import { nearDuplicateSignal } from './signals/near-duplicate';
import { noProofSignal } from './signals/no-proof';
import { spamDomainSignal } from './signals/spam-domains';
import { speedSignal } from './signals/speed';

/** Everything the risk of one comment is computed from, read beforehand (abuse.service.ts). */
export interface RiskFacts {
  model: Model;
  /** How many of the site's own texts (decisions, published comments) the model learnt. */
  learnt: number;
  /** A mature site's regression (regression.ts), when one was fitted; none: the naive Bayes alone. */
  regression?: Regression | null;
  text: string;
  /** Other commenters or networks that posted nearly the same text within the window. */
  nearDuplicates: number;
  windowHours: number;
  speed: { network10m: number; thread1m: number } | null;
  proof: 'valid' | 'missing' | 'invalid' | 'exempt';
}

/** The whole check, pure: features, classifier and signals, combined. */
export function assess(facts: RiskFacts): Risk {
  const features = featuresOf(facts.text);
  const domains = linkDomains(facts.text).map((domain) => ({ domain, ...(siteCounts(facts.model, `d:${domain}`) ?? { spam: 0, ham: 0 }) }));
  return combine([
    classifierSignal(
      spamProbability(facts.model, features),
      spamEvidence(facts.model, features),
      facts.learnt,
      facts.regression ? regressionProbability(facts.regression, features) : null,
    ),
    nearDuplicateSignal(facts.nearDuplicates, facts.windowHours),
    spamDomainSignal(domains),
    contactSignal(features.includes(CONTACT_FEATURE) ? contactDetails(facts.text) : [], siteCounts(facts.model, CONTACT_FEATURE)),
    facts.speed ? speedSignal(facts.speed) : null,
    noProofSignal(facts.proof),
  ]);
}

/** How many of the site's spam and genuine texts had the feature (link domains and contact details are the site's alone). */
function siteCounts(model: Model, feature: string): { spam: number; ham: number } | undefined {
  const c = model.feature(feature);
  return c ? { spam: c[0], ham: c[1] } : undefined;
}
