import { AppError } from '../../errors';
import type { Rule } from './types';

/** A banned commenter, or anyone on a banned network, is refused outright, with the end date. */
export const banned: Rule = {
  name: 'banned',
  run: ({ author }) => {
    if (!author.banned) return undefined;
    const until = author.bannedUntil ?? null;
    const message = until
      ? `You cannot comment on this site until ${until.toISOString().slice(0, 16).replace('T', ' ')} UTC.`
      : 'You can no longer comment on this site.';
    return { refuse: new AppError('forbidden', 'banned', message, [{ message, until: until?.toISOString() ?? null }]) };
  },
};
