import type { Rule } from './types';

/** The thread's mode overrides the site's: `pre` holds everything, `first_time` holds newcomers. */
export const moderationMode: Rule = {
  name: 'moderation_mode',
  run: ({ thread, site, author }) => {
    const mode = thread.mode ?? site.settings.moderation;
    if (mode === 'pre') return { status: 'pending', reason: 'pre-moderation' };
    if (mode === 'first_time' && author.approvedCount === 0 && !author.trusted) return { status: 'pending', reason: 'first comment' };
    return undefined;
  },
};
