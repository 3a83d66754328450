import { round } from './classifier';
import type { Signal } from './types';

/** A domain moderators marked as spam at least this often, and (nearly) never approved. */
const MIN_SPAM = 2;

export function spamDomainSignal(domains: ReadonlyArray<{ domain: string; spam: number; ham: number }>): Signal {
  const bad = domains.filter((d) => d.spam >= MIN_SPAM && d.spam >= 10 * d.ham);
  if (bad.length === 0) return null;
  const worst = Math.max(...bad.map((d) => d.spam));
  // A domain seen in spam a few times is a weak signal: it holds a comment only with another one.
  const weight = worst >= 5 ? 0.9 : 0.45;
  return { code: 'spam_link', weight: round(weight), detail: `links to ${bad.map((d) => d.domain).join(', ')}, seen in spam before` };
}
