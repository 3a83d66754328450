/**
 * Word lists matched on normalised text, in linear time.
 *
 * Normalising folds the tricks people use to slip a word past a filter: compatibility forms
 * (NFKC: ligatures such as "ﬁ", full-width and mathematical letters), case, accents, invisible
 * format characters (zero-width spaces and joiners, soft hyphens, bidi controls) and markup
 * (`<b>half</b>way` is "halfway"). The text is then cut into words of letters and digits. As
 * comments are shown as text, a tag-like `<word>` is still read by people: text containing `<` is
 * matched twice, with tags removed and as written.
 *
 * Matching never uses a regular expression built from the list: entries (single words or
 * phrases) go into a trie of words, and the text is walked once per starting word, at most as
 * deep as the longest entry. Work is bounded by text length × longest phrase, whatever the list.
 */

/** Longest text considered (in characters, after normalising): far above any comment body. */
const MAX_TEXT = 200_000;
/** Longest phrase, in words. */
const MAX_PHRASE_WORDS = 20;

const TAG = /<[^<>]{0,200}>/g;
const FORMAT_CHARS = /\p{Cf}/gu;
const MARKS = /\p{M}/gu;
const WORD = /[\p{L}\p{N}]+/gu;

export function normalise(text: string, stripTags = true): string {
  const folded = text.slice(0, MAX_TEXT).normalize('NFKC').replace(FORMAT_CHARS, '');
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

interface Node {
  next: Map<string, Node>;
  /** The list entry that ends here, as written by the moderator. */
  entry?: string;
}

export interface WordMatcher {
  /** The first listed entry found in the text, or null. */
  find(text: string): string | null;
}

function scan(root: Node, tokens: string[]): string | null {
  for (let start = 0; start < tokens.length; start++) {
    let node: Node | undefined = root;
    for (let i = start; i < tokens.length && i - start < MAX_PHRASE_WORDS; i++) {
      node = node.next.get(tokens[i]!);
      if (!node) break;
      if (node.entry) return node.entry;
    }
  }
  return null;
}

export function compileWordList(list: readonly string[]): WordMatcher {
  const root: Node = { next: new Map() };
  let size = 0;
  for (const entry of list) {
    const parts = words(entry).slice(0, MAX_PHRASE_WORDS);
    if (parts.length === 0) continue;
    let node = root;
    for (const part of parts) {
      let child = node.next.get(part);
      if (!child) node.next.set(part, (child = { next: new Map() }));
      node = child;
    }
    node.entry ??= entry;
    size++;
  }
  return {
    find(text) {
      if (size === 0) return null;
      return scan(root, words(text)) ?? (text.includes('<') || text.includes('\uFF1C') ? scan(root, words(text, false)) : null);
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
