import type { Rule } from './types';

export const linkLimit: Rule = {
  name: 'link_limit',
  // A trusted reader (SPEC §11) is not held for links.
  run: ({ body, site, author }) =>
    !author.trusted && body.links > site.settings.maxLinks
      ? { status: 'pending', reason: `more than ${site.settings.maxLinks} links` }
      : undefined,
};
