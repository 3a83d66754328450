import type { PollView } from '../polls/poll.view';
import type { Thread } from '../../db/schema';

export interface ThreadView {
  id: string;
  siteId: string;
  key: string;
  url: string | null;
  title: string | null;
  state: 'open' | 'closed';
  mode: string | null;
  commentCount: number;
  seq: number;
  createdAt: string;
  polls: PollView[];
}

export function threadView(thread: Thread, extras: { polls?: PollView[] } = {}): ThreadView {
  return {
    id: thread.id,
    siteId: thread.site_id,
    key: thread.key,
    url: thread.url,
    title: thread.title,
    state: thread.state,
    mode: thread.mode,
    commentCount: thread.comment_count,
    seq: thread.seq,
    createdAt: thread.created_at.toISOString(),
    polls: extras.polls ?? [],
  };
}
