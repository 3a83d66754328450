import type { Rule } from './types';

/** Staff post approved, with their badge; the rules for readers do not apply to them. */
export const member: Rule = {
  name: 'member',
  run: ({ author }) => (author.isMember ? { status: 'approved', reason: 'member' } : undefined),
};
