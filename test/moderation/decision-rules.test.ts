import type { CommentStatus } from '../../db/schema';
import { planDecision } from '../../server/moderation/decision.rules';
import type { Action } from '../../server/moderation/moderation.schema';

const state = (status: CommentStatus, extra: { featured?: boolean; openFlags?: number; previousStatus?: CommentStatus | null } = {}) => ({
  status,
  featured: extra.featured ?? false,
  openFlags: extra.openFlags ?? 0,
  previousStatus: extra.previousStatus ?? null,
});

describe('what a decision does', () => {
  it.each<[string, ReturnType<typeof state>, Action, CommentStatus, boolean | null]>([
    ['approve publishes a pending comment', state('pending'), 'approve', 'approved', null],
    ['approve publishes a false positive from spam', state('spam'), 'approve', 'approved', null],
    ['approve keeps a flagged comment up', state('approved', { openFlags: 3, featured: true }), 'approve', 'approved', true],
    ['reject takes a published comment down and unpins it', state('approved', { featured: true }), 'reject', 'rejected', false],
    ['reject refuses a pending comment', state('pending'), 'reject', 'rejected', null],
    ['spam reclassifies a rejected comment', state('rejected'), 'spam', 'spam', null],
    ['restore brings a rejected comment back to where it was', state('rejected', { previousStatus: 'approved' }), 'restore', 'approved', null],
    ['restore puts a comment rejected while pending back in the queue', state('rejected', { previousStatus: 'pending' }), 'restore', 'pending', null],
    ['restore publishes what the rules marked as spam', state('spam'), 'restore', 'approved', null],
    ['feature pins a published comment', state('approved'), 'feature', 'approved', true],
    ['unfeature unpins it', state('approved', { featured: true }), 'unfeature', 'approved', false],
  ])('%s', (_label, from, action, status, featured) => {
    const plan = planDecision(from, action);
    expect(plan).toMatchObject({ status, ...(featured === null ? {} : { featured }) });
  });

  it.each<[string, ReturnType<typeof state>, Action]>([
    ['approving an approved, unflagged comment (someone already did)', state('approved'), 'approve'],
    ['rejecting a rejected comment', state('rejected'), 'reject'],
    ['marking spam twice', state('spam'), 'spam'],
    ['restoring a published comment', state('approved'), 'restore'],
    ['restoring a pending comment', state('pending'), 'restore'],
    ['featuring a pending comment', state('pending'), 'feature'],
    ['featuring twice', state('approved', { featured: true }), 'feature'],
    ['unfeaturing an unpinned comment', state('approved'), 'unfeature'],
    ['anything on a comment its author deleted', state('deleted'), 'approve'],
  ])('refuses %s', (_label, from, action) => {
    expect(planDecision(from, action)).toHaveProperty('conflict');
  });
});
