import unhomoglyph from 'unhomoglyph';

/**
 * The other readings of one normalised word (see `fold()` in words.ts): its confusables skeleton,
 * and digits and symbols read as the letters they stand for.
 */

/** Scripts whose letters imitate Latin ones: "раураl" is all Cyrillic, "frоbnicаte" only partly. */
const LOOKALIKE_SCRIPTS = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u;
const ASCII = /^[\x00-\x7f]*$/;
/** Latin letters outside ASCII that survive NFKC and accent folding (small capitals, "ɢ", "ı"). */
const RARE_LATIN = /(?![\p{ASCII}])\p{Script=Latin}/u;

/**
 * The word as the Latin letters it looks like: its UTS #39 confusables skeleton (Unicode's
 * confusables data, through the unhomoglyph library), in lower case; null when it has no look-alike
 * letters. Other scripts (Arabic, CJK, …) are left alone: their words are matched as written.
 */
export function skeletonOf(word: string): string | null {
  if (ASCII.test(word)) return null;
  if (!LOOKALIKE_SCRIPTS.test(word) && !RARE_LATIN.test(word)) return null;
  const skeleton = unhomoglyph(word).toLowerCase();
  return skeleton && skeleton !== word ? skeleton : null;
}

/** What each character stands for in l33t spelling; two readings where people use both. */
const LEET: Record<string, readonly string[]> = {
  '0': ['o'],
  '1': ['i', 'l'],
  '2': ['z'],
  '3': ['e'],
  '4': ['a'],
  '5': ['s'],
  '6': ['g'],
  '7': ['t'],
  '8': ['b'],
  '9': ['g'],
  '@': ['a'],
  $: ['s'],
  '!': ['i'],
  '|': ['l', 'i'],
  '+': ['t'],
  '€': ['e'],
};
const PLAIN = /^[a-z]+$/;
const LEET_CHAR = /[\p{N}@$!|+€]/u;
const LETTER = /\p{L}/u;
/** Punctuation more often than a letter at the edges of a word ("wow!", "c++", "|quote|"). */
const EDGES = /^[!|+]+|[!|+]+$/g;
/** Words this short with a digit are units and names ("4k", "b2"), not disguises. */
const MIN_LEET_LENGTH = 3;
/** A word with more ambiguous characters than this gets two readings, not every combination. */
const MAX_AMBIGUOUS = 3;

function leetReadings(word: string): string[] {
  const chars = [...word];
  const ambiguous = chars.filter((c) => (LEET[c]?.length ?? 0) > 1).length;
  const choices = ambiguous <= MAX_AMBIGUOUS ? 1 << ambiguous : 0;
  const out = new Set<string>();
  const spell = (pick: (choice: readonly string[], index: number) => string) => {
    let index = 0;
    return chars.map((c) => (LEET[c] ? pick(LEET[c]!, LEET[c]!.length > 1 ? index++ : -1) : c)).join('');
  };
  for (let combo = 0; combo < choices; combo++) out.add(spell((r, i) => (i < 0 ? r[0]! : r[(combo >> i) & 1]!)));
  if (choices === 0) {
    out.add(spell((r) => r[0]!));
    out.add(spell((r) => r[r.length - 1]!));
  }
  return [...out];
}

/**
 * Every reading of a word written with letters, digits and symbols, the most likely first: the
 * l33t readings of a word that mixes letters with digits or symbols, for the word itself and its
 * skeleton, then the word as written. A number stays a number.
 */
export function readings(raw: string, skeleton: (word: string) => string | null): string[] {
  if (PLAIN.test(raw)) return [raw]; // most words: nothing to read differently
  const word = raw.replace(EDGES, '');
  if (!word) return [];
  const out = new Set<string>();
  for (const base of [skeleton(word) ?? word, word]) {
    if ([...base].length >= MIN_LEET_LENGTH && LETTER.test(base) && LEET_CHAR.test(base)) {
      for (const r of leetReadings(base)) out.add(r);
    }
  }
  out.add(skeleton(word) ?? word);
  out.add(word);
  return [...out];
}
