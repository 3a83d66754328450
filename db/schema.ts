import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Timestamps are read as Date and written as Date or ISO strings. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in unless given. */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface SitesTable {
  id: string;
  name: string;
  origins: Json<string[]>;
  settings: Json<Record<string, unknown>>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ThreadsTable {
  id: string;
  site_id: string;
  key: string;
  url: string | null;
  title: string | null;
  state: Generated<'open' | 'closed'>;
  /** null: inherit the site's moderation mode. */
  mode: 'pre' | 'post' | 'first_time' | null;
  /** Approved, non-deleted comments; kept in the same transaction as every change. */
  comment_count: Generated<number>;
  /** The last event's sequence number; every visible change takes the next one. */
  seq: Generated<number>;
  created_at: GeneratedTimestamp;
}

export interface CommentersTable {
  id: string;
  token_hash: string | null;
  name: string | null;
  email: string | null;
  website: string | null;
  created_at: GeneratedTimestamp;
  erased_at: Timestamp | null;
  show_vote: Generated<boolean>;
}

export type CommentStatus = 'pending' | 'approved' | 'rejected' | 'spam' | 'deleted';

export interface CommentsTable {
  id: string;
  site_id: string;
  thread_id: string;
  parent_id: string | null;
  /** The comment a reply answers when the depth cap attached it higher up. */
  reply_to_id: string | null;
  root_id: string | null;
  depth: number;
  commenter_id: string | null;
  member_id: string | null;
  author_name: string | null;
  author_website: string | null;
  badge: string | null;
  body_src: string;
  body_html: string;
  status: CommentStatus;
  /** The status before a deletion or decision, so restore can put it back. */
  previous_status: CommentStatus | null;
  featured: Generated<boolean>;
  reaction_count: Generated<number>;
  /** Approved direct replies. */
  reply_count: Generated<number>;
  flag_count: Generated<number>;
  seq: Generated<number>;
  ip_hash: string | null;
  user_agent: string | null;
  created_at: GeneratedTimestamp;
  edited_at: Timestamp | null;
  deleted_at: Timestamp | null;
}

export interface CommentEditsTable {
  id: Generated<number>;
  comment_id: string;
  body_src: string;
  edited_at: GeneratedTimestamp;
}

export interface ReactionsTable {
  comment_id: string;
  commenter_id: string;
  created_at: GeneratedTimestamp;
}

export interface FlagsTable {
  id: Generated<number>;
  comment_id: string;
  commenter_id: string | null;
  reason: string;
  note: string | null;
  created_at: GeneratedTimestamp;
}

export interface ThreadEventsTable {
  thread_id: string;
  seq: number;
  event: string;
  payload: Json<Record<string, unknown>>;
  /** null: every reader of the thread; otherwise only this commenter (their own pending comment). */
  audience: string | null;
  created_at: GeneratedTimestamp;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_body: Json<unknown> | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

export interface HashKeysTable {
  day: string;
  secret: string;
  created_at: GeneratedTimestamp;
}

// --- polls (migration 005) ---
export interface PollsTable {
  id: string;
  site_id: string;
  thread_id: string;
  question: string;
  kind: 'single' | 'multiple';
  max_choices: number;
  visibility: 'always' | 'after_vote' | 'after_close';
  network_cap: number;
  closes_at: Timestamp | null;
  closed_at: Timestamp | null;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface PollOptionsTable {
  id: string;
  poll_id: string;
  label: string;
  position: number;
}

export interface PollBallotsTable {
  poll_id: string;
  commenter_id: string;
  ip_hash: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface PollChoicesTable {
  poll_id: string;
  commenter_id: string;
  option_id: string;
}

// --- privacy (006_privacy) ---

export interface PrivacyRequestsTable {
  id: string;
  site_id: string;
  kind: 'export' | 'erase';
  channel: 'mail' | 'admin';
  status: ColumnType<'pending' | 'done', 'pending' | 'done' | undefined, 'pending' | 'done'>;
  /** Held only while the request is pending. */
  email: string | null;
  /** sha256 of the mailed link's secret; mail requests only, while pending. */
  token_hash: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp | null;
  completed_at: Timestamp | null;
  completed_by: string | null;
  outcome: Json<Record<string, number>> | null;
}
export type PrivacyRequest = Selectable<PrivacyRequestsTable>;

// --- end privacy ---
// --- imports (migration 007) ---
export interface ImportRefsTable {
  site_id: string;
  /** 'wxr', 'disqus' or 'parley'; 'email' for commenters, shared by every source. */
  source: string;
  kind: 'thread' | 'comment' | 'commenter';
  external_id: string;
  local_id: string;
  created_at: GeneratedTimestamp;
}

export interface Database {
  sites: SitesTable;
  threads: ThreadsTable;
  commenters: CommentersTable;
  comments: CommentsTable;
  comment_edits: CommentEditsTable;
  reactions: ReactionsTable;
  flags: FlagsTable;
  thread_events: ThreadEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  hash_keys: HashKeysTable;
  polls: PollsTable;
  poll_options: PollOptionsTable;
  poll_ballots: PollBallotsTable;
  poll_choices: PollChoicesTable;
  // --- privacy (006_privacy) ---
  privacy_requests: PrivacyRequestsTable;
  import_refs: ImportRefsTable;
}

export type Site = Selectable<SitesTable>;
export type Thread = Selectable<ThreadsTable>;
export type Commenter = Selectable<CommentersTable>;
export type Comment = Selectable<CommentsTable>;
export type NewComment = Insertable<CommentsTable>;
export type CommentUpdate = Updateable<CommentsTable>;
export type Poll = Selectable<PollsTable>;
export type PollOption = Selectable<PollOptionsTable>;
