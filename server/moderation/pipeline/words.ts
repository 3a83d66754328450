import { stripFormatCharacters } from '../../text';
import { readings, skeletonOf } from './fold-readings';

/**
 * Word lists matched on folded text, in linear time.
 *
 * `fold()` undoes the tricks people use to slip a word past a filter. Normalising folds
 * compatibility forms (NFKC: ligatures such as "ﬁ", full-width and mathematical letters), case,
 * accents, invisible format characters (zero-width spaces and joiners, soft hyphens, bidi controls)
 * and markup (`<b>half</b>way` is "halfway"). Then each word gets its other readings: look-alike
 * letters from other scripts read as the Latin letters they imitate (a UTS #39 confusables
 * skeleton: Cyrillic "а" is "a"), and digits and symbols inside a word read as letters
 * ("fr0bn1c@te"). A word is caught when any of its readings is listed, so "2020" or "mp3" stay what
 * they are unless a reading of them is itself a listed word. Finally the text is read once more with
 * separators inside words dropped ("frob-ni.cate") and spaced letters joined ("f r o b").
 *
 * Matching never uses a regular expression built from the list: entries (single words or
 * phrases) go into a trie of words, and the text is walked once per starting word, at most as
 * deep as the longest entry. Work is bounded by text length × longest phrase × readings, whatever
 * the list. As comments are shown as text, a tag-like `<word>` is still read by people: text
 * containing `<` is also matched as written.
 */

/** Longest text considered (in characters, after normalising): far above any comment body. */
const MAX_TEXT = 200_000;
/** Longest phrase, in words. */
const MAX_PHRASE_WORDS = 20;

const TAG = /<[^<>]{0,200}>/g;
const MARKS = /\p{M}/gu;
const WORD = /[\p{L}\p{N}]+/gu;
const ASCII_WORD = /^[a-z0-9]+$/;
/** A word as l33t spelling writes it: letters, digits and the symbols that stand for letters. */
const LEET_WORD = /[\p{L}\p{N}@$!|+€]+/gu;
/** Separators inside a word ("frob-nicate", "f.r.o.b"): dropped for the joined reading. */
const INNER_SEPARATORS = /(?<=[\p{L}\p{N}@$])[-._'’·]+(?=[\p{L}\p{N}@$])/gu;
/** This many single letters in a row, spaced out, are read as one word too. */
const SPACED_LETTERS = 3;

export function normalise(text: string, stripTags = true): string {
  const folded = stripFormatCharacters(text.slice(0, MAX_TEXT).normalize('NFKC'));
  return (stripTags ? folded.replace(TAG, '') : folded)
    .toLowerCase()
    .normalize('NFKD')
    .replace(MARKS, '')
    .normalize('NFKC')
    .slice(0, MAX_TEXT);
}

export function words(text: string, stripTags = true): string[] {
  return normalise(text, stripTags).match(WORD) ?? [];
}

/** Each position holds every reading of one word of the text. */
export type WordReadings = string[][];

export interface FoldedText {
  /** One plain reading of the whole text: words folded as above, separators and spacing undone. */
  text: string;
  /** The word sequences to match a list against, each word with all its readings. */
  sequences: WordReadings[];
}

/** The last texts folded: the blocked and held word rules read the same comment one after the other. */
const recent = new Map<string, FoldedText>();

export function fold(text: string, options: { stripTags?: boolean } = {}): FoldedText {
  const key = `${options.stripTags === false ? 0 : 1}${text}`;
  let folded = recent.get(key);
  if (!folded) {
    folded = foldNow(text, options.stripTags ?? true);
    if (recent.size >= 4) recent.delete(recent.keys().next().value!);
    recent.set(key, folded);
  }
  return folded;
}

function foldNow(text: string, stripTags: boolean): FoldedText {
  const plain = normalise(text, stripTags);
  const skeletons = new Map<string, string | null>();
  const skeleton = (word: string) => {
    if (ASCII_WORD.test(word)) return null;
    let found = skeletons.get(word);
    if (found === undefined) skeletons.set(word, (found = skeletonOf(word)));
    return found;
  };
  // As split at every symbol; with symbols as letters; and with separators and spacing undone.
  const split = (plain.match(WORD) ?? []).map((w) => {
    const other = skeleton(w);
    return other ? [w, other] : [w];
  });
  const readAll = (spellings: string[]) =>
    spellings.length === 1 ? readings(spellings[0]!, skeleton) : unique(spellings.flatMap((w) => readings(w, skeleton)));
  const read = (list: string[][]) => list.map(readAll).filter((r) => r.length > 0);
  const leet = read(leetWords(plain).map((w) => [w]));
  const joined = read(joinSpacedLetters(leetWords(plain.replace(INNER_SEPARATORS, ''))));
  return {
    text: joined.map((r) => r[0]).join(' '),
    sequences: [split, leet, joined],
  };
}

function leetWords(text: string): string[] {
  return text.match(LEET_WORD) ?? [];
}

/**
 * Runs of single letters become one word; as the run may begin or end with a real one-letter word
 * ("a f r o b"), it is also read without its first or last letter. Each item: a word's spellings.
 */
function joinSpacedLetters(list: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < list.length; ) {
    let end = i;
    while (end < list.length && [...list[end]!].length === 1) end++;
    if (end - i >= SPACED_LETTERS) {
      const run = list.slice(i, end).join('');
      out.push(unique([run, run.slice(1), run.slice(0, -1), run.slice(1, -1)]));
      i = end;
    } else {
      out.push([list[i]!]);
      i++;
    }
  }
  return out;
}

function unique(values: Array<string | null>): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}

interface Node {
  next: Map<string, Node>;
  /** The list entry that ends here, as written by the moderator. */
  entry?: string;
}

export interface WordMatcher {
  /** The first listed entry found in the text, or null. */
  find(text: string): string | null;
}

function walk(node: Node, sequence: WordReadings, at: number, depth: number): string | null {
  if (at >= sequence.length || depth >= MAX_PHRASE_WORDS) return null;
  for (const reading of sequence[at]!) {
    const next = node.next.get(reading);
    if (!next) continue;
    if (next.entry) return next.entry;
    const found = walk(next, sequence, at + 1, depth + 1);
    if (found) return found;
  }
  return null;
}

function scan(root: Node, sequences: WordReadings[]): string | null {
  for (const sequence of sequences) {
    for (let start = 0; start < sequence.length; start++) {
      const found = walk(root, sequence, start, 0);
      if (found) return found;
    }
  }
  return null;
}

function addPath(root: Node, parts: string[], entry: string): void {
  let node = root;
  for (const part of parts) {
    let child = node.next.get(part);
    if (!child) node.next.set(part, (child = { next: new Map() }));
    node = child;
  }
  node.entry ??= entry;
}

export function compileWordList(list: readonly string[]): WordMatcher {
  const root: Node = { next: new Map() };
  let size = 0;
  for (const entry of list) {
    const parts = words(entry).slice(0, MAX_PHRASE_WORDS);
    if (parts.length === 0) continue;
    addPath(root, parts, entry);
    // An entry written in another script also catches its Latin look-alike spelling.
    const skeletons = parts.map((p) => skeletonOf(p) ?? p);
    if (skeletons.some((s, i) => s !== parts[i])) addPath(root, skeletons, entry);
    size++;
  }
  return {
    find(text) {
      if (size === 0) return null;
      return (
        scan(root, fold(text).sequences) ??
        (text.includes('<') || text.includes('\uFF1C') ? scan(root, fold(text, { stripTags: false }).sequences) : null)
      );
    },
  };
}

/** Compiled lists, keyed by content: a site's list is compiled once, not on every comment. */
const cache = new Map<string, WordMatcher>();
const CACHE_SIZE = 200;

export function matcherFor(list: readonly string[]): WordMatcher {
  const key = JSON.stringify(list);
  let matcher = cache.get(key);
  if (matcher) {
    cache.delete(key);
    cache.set(key, matcher); // most recently used last
    return matcher;
  }
  matcher = compileWordList(list);
  cache.set(key, matcher);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return matcher;
}
