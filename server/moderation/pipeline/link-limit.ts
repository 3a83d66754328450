import type { Rule } from './types';

export const linkLimit: Rule = {
  name: 'link_limit',
  run: ({ body, site }) =>
    body.links > site.settings.maxLinks
      ? { status: 'pending', reason: `more than ${site.settings.maxLinks} links` }
      : undefined,
};
