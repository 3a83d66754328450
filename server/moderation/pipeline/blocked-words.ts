import type { Rule } from './types';
import { matcherFor } from './words';

/** A blocked word or phrase rejects the comment. The author is not told which word it was. */
export const blockedWords: Rule = {
  name: 'blocked_words',
  run: ({ site, body }) => {
    const found = matcherFor(site.settings.blockedWords).find(body.text);
    return found ? { status: 'rejected', reason: `blocked word: ${found}` } : undefined;
  },
};
