/**
 * Format characters (Unicode category Cf: bidi overrides, zero-width spaces and joiners, tag
 * characters, soft hyphens) are never shown, and are used to hide words from filters or to reverse
 * how a name reads. Names and the word matcher drop them alike.
 */
const FORMAT_CHARS = /\p{Cf}/gu;

export function stripFormatCharacters(text: string): string {
  return text.replace(FORMAT_CHARS, '');
}
