import { fold } from '../moderation/pipeline/words';

/** Longest text the classifier reads: a comment, not a book. */
const MAX_TEXT = 4_000;
const URL = /\b(?:https?:\/\/|www\.)([a-z0-9.-]+\.[a-z]{2,})/gi;
const BARE_DOMAIN = /(?<![@\w.-])([a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|ru|cn|xyz|top|io|co|us|uk|fr|de|online|site|shop|click|link))\b/gi;

/** The registrable-looking end of a host: `www.shop.example.com` → `example.com`. */
export function domainOf(host: string): string {
  const parts = host.toLowerCase().replace(/\.$/, '').split('.');
  return parts.slice(-2).join('.');
}

/** Every link domain a text names, written as a URL or bare. */
export function linkDomains(text: string): string[] {
  const found = new Set<string>();
  const sample = text.slice(0, MAX_TEXT);
  for (const m of sample.matchAll(URL)) found.add(domainOf(m[1]!));
  for (const m of sample.matchAll(BARE_DOMAIN)) found.add(domainOf(m[1]!));
  return [...found];
}

/**
 * What the classifier counts in a text: its folded words (look-alikes, accents, spacing and l33t
 * undone by the words module's `fold()`, so "V1agra" and "viagra" are one feature), pairs of
 * neighbouring words, character 4-grams of longer words (catching words split or misspelt on
 * purpose), the link domains (`d:`), and a few shapes (how many links, shouting, prices). Each counted once.
 */
export function featuresOf(text: string): string[] {
  const sample = text.slice(0, MAX_TEXT);
  const words = fold(sample).text.split(' ').filter((w) => w.length > 1 && w.length <= 24);
  const out = new Set<string>();
  let previous: string | null = null;
  for (const word of words) {
    out.add(word);
    if (previous) out.add(`${previous}_${word}`);
    previous = word;
    if (word.length >= 6) for (let i = 0; i + 4 <= word.length; i++) out.add(`#${word.slice(i, i + 4)}`);
  }
  const domains = linkDomains(sample);
  for (const d of domains) out.add(`d:${d}`);
  if (domains.length) out.add(`s:links${Math.min(domains.length, 3)}`);
  const letters = sample.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 12 && letters.replace(/[^\p{Lu}]/gu, '').length / letters.length > 0.5) out.add('s:shouting');
  if (/[$€£]\s?\d|\d\s?[$€£]/.test(sample)) out.add('s:money');
  return [...out];
}
