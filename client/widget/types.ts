import type { CommentView } from '../../server/comments/comment.view';
import type { ThreadView } from '../../server/threads/thread.view';

/** The API's public shapes, taken as types from the server so they cannot drift. */
export type { CommentView, ThreadView };

export interface Replies {
  items: CommentView[];
  total: number;
  nextCursor: string | null;
}

export type CommentWithReplies = CommentView & { replies?: Replies };

export interface CommentPage {
  items: CommentWithReplies[];
  nextCursor: string | null;
  seq: number;
}

export type Sort = 'oldest' | 'newest' | 'top';

export interface Profile {
  name: string;
  email: string;
  website: string;
}
