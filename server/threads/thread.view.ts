import type { PollView } from '../polls/poll.view';
import type { Thread } from '../../db/schema';
import { slowModeOf } from './slow-mode.rules';
import { stateAt } from './schedule.rules';

export interface ThreadView {
  id: string;
  siteId: string;
  key: string;
  url: string | null;
  title: string | null;
  state: 'open' | 'closed';
  mode: string | null;
  commentCount: number;
  /** Staff's slow mode on this thread, in seconds; null: off. */
  slowModeSeconds: number | null;
  /** Slow mode as it applies now (staff's, or automatic while the thread is busy); null: off. */
  slowMode: { seconds: number; automatic: boolean } | null;
  /** Commenting closes by itself at this time; null: no close time. */
  closesAt: string | null;
  /** Commenting reopens by itself at this time; null: no reopen time. */
  reopensAt: string | null;
  /** false: readers' comments with a link are held for a moderator. */
  linksAllowed: boolean;
  seq: number;
  /** `qa`: readers' top-level comments are questions that staff answer. */
  format: 'comments' | 'qa';
  /** How many comments staff picked (featured and published). */
  picks: number;
  createdAt: string;
  polls: PollView[];
}

/** `now`: the state as the schedule makes it at that time (otherwise as stored; the schedule job keeps it). */
export function threadView(thread: Thread, extras: { polls?: PollView[]; now?: Date } = {}): ThreadView {
  return {
    id: thread.id,
    siteId: thread.site_id,
    key: thread.key,
    url: thread.url,
    title: thread.title,
    state: extras.now ? stateAt(thread, extras.now) : thread.state,
    mode: thread.mode,
    commentCount: thread.comment_count,
    slowModeSeconds: thread.slow_mode_seconds,
    slowMode: slowModeOf(thread),
    closesAt: thread.closes_at?.toISOString() ?? null,
    reopensAt: thread.reopens_at?.toISOString() ?? null,
    linksAllowed: thread.links_allowed,
    seq: thread.seq,
    format: thread.format,
    picks: thread.featured_count,
    createdAt: thread.created_at.toISOString(),
    polls: extras.polls ?? [],
  };
}
