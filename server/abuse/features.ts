import { fold } from '../moderation/pipeline/words';

/** Longest text the classifier reads: a comment, not a book. */
const MAX_TEXT = 4_000;
/** The feature a text with contact details has (see contactDetails). */
export const CONTACT_FEATURE = 's:contact';
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

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;
// A run of digits with a phone number's separators; how many digits it holds is checked below.
const PHONE = /(?<![\p{L}\p{N}.,/:$£€%])\+?\d[\d .()-]{5,20}\d(?![\p{L}\p{N}%€$£]|[.,]\d)/gu;
// 67 000 000, 1.200.000: a figure grouped in thousands.
const THOUSANDS = /^\d{1,3}(?:([ .])\d{3})(?:\1\d{3})*$/;
// 2001-2009, 1990 – 1995: years.
const YEARS = /^(?:(?:19|20)\d\d[ .()-]*)+$/;
const MESSENGER = /\b(?:whats\s?app|telegram|wechat|viber|signal app|kik|snapchat)\b/i;
const HANDLE = /(?<![\p{L}\p{N}._%+-])@[A-Za-z0-9_.]{3,}/u;

/**
 * The ways to reach someone outside the site that a text gives: an e-mail address, a phone number
 * (8 to 15 digits, as written in any country: `+44 7700 900123`, `06 12 34 56 78`, `(555) 010-0199`),
 * or a messenger's name with a handle (`Telegram @mentor_fx`). Figures, prices, dates and years are
 * not phone numbers: a run of digits next to a currency sign, a percent sign, a comma or a slash is
 * left alone, and so are a figure grouped in thousands (`67 000 000`) and a run of years (`2001-2009`).
 */
export function contactDetails(text: string): Array<'email' | 'phone' | 'messenger'> {
  const sample = text.slice(0, MAX_TEXT);
  const found: Array<'email' | 'phone' | 'messenger'> = [];
  if (EMAIL.test(sample)) found.push('email');
  for (const m of sample.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, '').length;
    if (digits >= 8 && digits <= 15 && !THOUSANDS.test(m[0].trim()) && !YEARS.test(m[0])) {
      found.push('phone');
      break;
    }
  }
  if (MESSENGER.test(sample) && HANDLE.test(sample.replace(EMAIL, ''))) found.push('messenger');
  return found;
}

/**
 * What the classifier counts in a text: its folded words of three letters or more (look-alikes,
 * accents, spacing and l33t undone by the words module's `fold()`, so "V1agra" and "viagra" are one
 * feature; in scripts written without spaces, pairs of characters: wordsOf below), pairs of
 * neighbouring words, character 4-grams of longer words (catching words split or misspelt on
 * purpose), the link domains (`d:`), the first word and first pair (`^`: how the text opens), and its
 * shape (`s:`: how many links, shouting, and shapesOf below). Each counted once. Not how many
 * figures or prices it quotes: genuine comments quote them as often as spam ("my rent went from
 * £950 to £1,200", "c'était 12 %, pas 21 %"), and counted they held such comments.
 */
export function featuresOf(text: string): string[] {
  const sample = text.slice(0, MAX_TEXT);
  const words = fold(sample).text.split(' ').flatMap(wordsOf).filter((w) => (w.length > 1 || UNSPACED.test(w)) && w.length <= 24);
  const out = new Set<string>();
  let previous: string | null = null;
  for (const word of words) {
    // Words of one or two letters ("en", "de", "to", "is") say which language a text is in, not
    // what it says: on a site whose spam came mostly in one language, they made the language a
    // spam clue. They still count inside pairs ("in_the", "de_15") and as the opening.
    if (word.length > 2 || UNSPACED.test(word)) out.add(word);
    if (previous) out.add(`${previous}_${word}`);
    previous = word;
    if (word.length >= 6) for (let i = 0; i + 4 <= word.length; i++) out.add(`#${word.slice(i, i + 4)}`);
  }
  // How the text opens: a campaign's greeting or a list footer standing where a comment's first words would be.
  if (words[0]) out.add(`^${words[0]}`);
  if (words[1]) out.add(`^${words[0]}_${words[1]}`);
  for (const s of shapesOf(sample)) out.add(s);
  const domains = linkDomains(sample);
  for (const d of domains) out.add(`d:${d}`);
  if (domains.length) out.add(`s:links${Math.min(domains.length, 3)}`);
  // Learnt per site like a link domain: the contact signal asks how this site's moderators judged them.
  if (contactDetails(sample).length) out.add(CONTACT_FEATURE);
  const letters = sample.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 12 && letters.replace(/[^\p{Lu}]/gu, '').length / letters.length > 0.5) out.add('s:shouting');
  return [...out];
}

/** Scripts written without spaces between words: Chinese, Japanese, Thai, Lao, Khmer, Burmese. */
const UNSPACED_CLASS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}';
const UNSPACED = new RegExp(`[${UNSPACED_CLASS}]`, 'u');
const RUNS = new RegExp(`[${UNSPACED_CLASS}]+|[^${UNSPACED_CLASS}]+`, 'gu');

/**
 * The words of one space-separated token. In a script written without spaces, a whole clause
 * ("对一个血癌病人和家属朋友而言") would be one "word" that no other text shares, and the classifier
 * would be blind to Chinese or Japanese comments: such a run is read as its overlapping pairs of
 * characters ("对一", "一个", "个血"…), the usual unit for classifying these languages without a
 * dictionary, and a run of one character as that character. Latin letters or digits in the same
 * token stay words of their own.
 */
export function wordsOf(token: string): string[] {
  if (!UNSPACED.test(token)) return [token];
  const out: string[] = [];
  for (const run of token.match(RUNS) ?? []) {
    // By code point: a character outside the Basic Multilingual Plane is one character, not two halves.
    const chars = Array.from(run);
    if (chars.length === 1 || !UNSPACED.test(run)) out.push(run);
    else for (let i = 0; i + 2 <= chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/** Which of a few ranges a share or a count falls in: `bin(0.3, [0.1, 0.5])` is 1. */
function bin(x: number, cuts: readonly number[]): number {
  let i = 0;
  while (i < cuts.length && x >= cuts[i]!) i++;
  return i;
}

const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

/**
 * The shape of a text, which its words miss: shares of capitals, symbols, letters outside
 * the Latin alphabet and undecodable characters (text in another script or a garbled charset),
 * encoding debris (base64-like runs, quoted-printable escapes, entities and tags), long runs without
 * a space, repeated `!!`/`??`. Each as a binned token
 * (`s:caps2`), learnt like a word (an ordinary shape too: `s:caps0` leans genuine).
 */
export function shapesOf(text: string): string[] {
  const sample = text.slice(0, MAX_TEXT);
  const n = Math.max(1, sample.length);
  const letters = sample.replace(/[^\p{L}]/gu, '');
  const l = Math.max(1, letters.length);
  const longest = Math.max(0, ...(sample.match(/\S{25,}/g) ?? []).map((w) => w.length));
  const bins: Array<[string, number]> = [
    ['caps', bin(count(letters, /\p{Lu}/gu) / l, [0.1, 0.2, 0.35, 0.6])],
    ['symbols', bin(count(sample, /[^\p{L}\p{N}\s]/gu) / n, [0.05, 0.1, 0.2])],
    ['nonlatin', bin(count(letters, /[^\p{Script=Latin}]/gu) / l, [0.02, 0.1, 0.3])],
    ['garbled', bin(count(sample, /\uFFFD/g) / n, [0.005, 0.05, 0.2])],
    ['base64', bin((sample.match(/[A-Za-z0-9+/]{16,}/g) ?? []).filter(isBase64Like).length, [1, 2, 4])],
    ['run', bin(longest, [25, 40, 80])],
    ['repeat', bin(count(sample, /!{2,}|\?{2,}/g), [1, 3])],
  ];
  const out = bins.map(([name, b]) => `s:${name}${b}`);
  if (/=[0-9A-F]{2}/.test(sample)) out.push('s:qp');
  if (/&(?:[a-z]+|#\d+);/i.test(sample)) out.push('s:entity');
  if (/<\/?[a-z][^>]*>/i.test(sample)) out.push('s:tag');
  return out;
}

/** A run of base64 characters with a digit, a capital and a small letter among them: encoded, not a word. */
const isBase64Like = (run: string) => /\d/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run);
