import type { CommentStatus } from '../../db/schema';
import type { Action } from './moderation.schema';

export interface DecisionState {
  status: CommentStatus;
  featured: boolean;
  /** Flags nobody has looked at yet. */
  openFlags: number;
  previousStatus: CommentStatus | null;
}

export type Plan = { status: CommentStatus; featured: boolean } | { conflict: string };

/**
 * What a decision does from the comment's current state, or why it makes no sense any more
 * (usually: another moderator decided first). Pure, so the table is tested on its own.
 *
 * - approve publishes a pending, rejected or spam comment, or keeps a flagged one (clearing flags);
 * - reject and spam take a comment down (or reclassify one already taken down);
 * - restore undoes a rejection or spam: back to what it was (published or pending); a comment the
 *   rules put there directly is published, since a person has now looked at it;
 * - feature and unfeature pin a published comment or unpin it.
 * The author's own deletion is final: no decision brings it back.
 */
export function planDecision(state: DecisionState, action: Action): Plan {
  const { status, featured, openFlags } = state;
  if (status === 'deleted') return { conflict: 'The author deleted this comment.' };
  switch (action) {
    case 'approve':
      if (status === 'approved') {
        return openFlags > 0 ? { status, featured } : { conflict: 'This comment is already approved.' };
      }
      return { status: 'approved', featured };
    case 'reject':
      return status === 'rejected' ? { conflict: 'This comment is already rejected.' } : { status: 'rejected', featured: false };
    case 'spam':
      return status === 'spam' ? { conflict: 'This comment is already marked as spam.' } : { status: 'spam', featured: false };
    case 'restore': {
      if (status !== 'rejected' && status !== 'spam') return { conflict: 'Only a rejected or spam comment can be restored.' };
      const back = state.previousStatus === 'pending' || state.previousStatus === 'approved' ? state.previousStatus : 'approved';
      return { status: back, featured: false };
    }
    case 'feature':
      if (status !== 'approved') return { conflict: 'Only an approved comment can be featured.' };
      return featured ? { conflict: 'This comment is already featured.' } : { status, featured: true };
    case 'unfeature':
      return featured ? { status, featured: false } : { conflict: 'This comment is not featured.' };
  }
}
