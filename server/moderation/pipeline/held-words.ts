import type { Rule } from './types';
import { matcherFor } from './words';

/** A held word or phrase sends the comment to the pending queue for a person to decide. */
export const heldWords: Rule = {
  name: 'held_words',
  run: ({ site, body }) => {
    const found = matcherFor(site.settings.heldWords).find(body.text);
    return found ? { status: 'pending', reason: `held word: ${found}` } : undefined;
  },
};
