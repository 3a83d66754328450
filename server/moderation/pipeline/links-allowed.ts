import type { Rule } from './types';

/** A thread where staff switched links off: a reader's comment with a link waits for a moderator. */
export const linksAllowed: Rule = {
  name: 'links_allowed',
  // As with the site's link limit, a trusted reader (SPEC §11) is not held for links.
  run: ({ body, thread, author }) =>
    !thread.links_allowed && body.links > 0 && !author.trusted ? { status: 'pending', reason: 'links are not allowed in this thread' } : undefined,
};
