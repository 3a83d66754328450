import type { ColumnType, Generated, Insertable, RawBuilder, Selectable, Updateable } from 'kysely';

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
  /** Moderation-queue changes so far (bigint: pg returns it as a string). */
  queue_version: ColumnType<string, never, RawBuilder<unknown>>;
  /** Enabled webhook endpoints (042_site_webhook_endpoints), kept by the webhook service. */
  webhook_endpoints: Generated<number>;
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
  /** The hashed network of the like (blanked by retention): the per-network cap counts it. */
  ip_hash: string | null;
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

// --- live events (003_realtime) ---
/** Owned by the Socket.IO Postgres adapter: messages too large for NOTIFY. */
export interface SocketIoAttachmentsTable {
  id: Generated<string>;
  created_at: GeneratedTimestamp;
  payload: Buffer | null;
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

  // --- live events (003_realtime) ---
  socket_io_attachments: SocketIoAttachmentsTable;
  // --- imports (007_imports) ---
  import_refs: ImportRefsTable;
}

export type Site = Selectable<SitesTable>;
export type Thread = Selectable<ThreadsTable>;
export type Commenter = Selectable<CommentersTable>;
export type Comment = Selectable<CommentsTable>;
export type NewComment = Insertable<CommentsTable>;
export type CommentUpdate = Updateable<CommentsTable>;

// ---------------------------------------------------------------------------------------------
// Moderation (004_moderation): members, sessions, API keys, bans, the moderation log. Interfaces
// below merge with those above (TypeScript declaration merging), so each migration adds its own.

export type MemberRole = 'admin' | 'moderator' | 'journalist';

export interface MembersTable {
  id: string;
  /** Lower-cased. */
  email: string;
  name: string;
  /** argon2id, PHC string. */
  password_hash: string;
  created_at: GeneratedTimestamp;
  password_changed_at: GeneratedTimestamp;
}

export interface SiteMembersTable {
  site_id: string;
  member_id: string;
  role: MemberRole;
  created_at: GeneratedTimestamp;
}

export interface MemberSessionsTable {
  /** sha256 of the session token; the token itself lives only in the member's cookie. */
  token_hash: string;
  member_id: string;
  created_at: GeneratedTimestamp;
  last_seen_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

/** A one-time link to set a new member's first password (only the token's hash). */
export interface MemberPasswordLinksTable {
  token_hash: string;
  member_id: string;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  site_id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface BansTable {
  id: string;
  site_id: string;
  commenter_id: string | null;
  network_hash: string | null;
  network_day: string | null;
  comment_id: string | null;
  reason: string | null;
  created_by_type: 'member' | 'key' | 'system';
  created_by_id: string | null;
  created_by_name: string | null;
  created_at: GeneratedTimestamp;
  /** null: for ever. */
  expires_at: Timestamp | null;
  lifted_at: Timestamp | null;
}

export interface ModerationLogTable {
  /** bigserial, read as a number (int8 parser). */
  id: Generated<number>;
  site_id: string;
  actor_type: 'member' | 'key' | 'system';
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  comment_id: string | null;
  thread_id: string | null;
  commenter_id: string | null;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: GeneratedTimestamp;
}

export interface RateLimitsTable {
  key: string;
  points: number;
  expire: number | null;
}

export interface CommentsTable {
  /** Bumped by every moderation decision; a decision naming an older version is a conflict. */
  mod_version: Generated<number>;
  /** The flag count when a moderator last decided: flagged again only by newer flags. */
  flags_cleared: Generated<number>;
  /** Why the rules gave the comment its status. */
  status_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface Database {
  members: MembersTable;
  site_members: SiteMembersTable;
  member_sessions: MemberSessionsTable;
  member_password_links: MemberPasswordLinksTable;
  api_keys: ApiKeysTable;
  bans: BansTable;
  moderation_log: ModerationLogTable;
  rate_limits: RateLimitsTable;
}

export type Member = Selectable<MembersTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type Ban = Selectable<BansTable>;
export type ModerationLogEntry = Selectable<ModerationLogTable>;
export type Poll = Selectable<PollsTable>;
export type PollOption = Selectable<PollOptionsTable>;

// ---------------------------------------------------------------------------------------------
// The reader API (migration 002_reader). Columns added to existing tables are declared by
// interface merging, so this block stays separate from the core one.

export interface ThreadsTable {
  /** The last time handed to a new comment; the next one is strictly later (see insertComment). */
  last_comment_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface CommentsTable {
  /** Hash of the normalised plain text, for the duplicate check. */
  text_hash: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface IdempotencyKeysTable {
  /** The claim that owns a running key. */
  owner: ColumnType<string | null, string | null | undefined, string | null>;
}

/** rate-limiter-flexible's PostgreSQL layout: points used and expiry (epoch milliseconds). */
export interface RateLimitsTable {
  key: string;
  points: number;
  expire: number | null;
}

export interface Database {
  rate_limits: RateLimitsTable;
}

// --- thread page cache (011_page_cache) ---
export interface ThreadsTable {
  /** Moves with every change a page shows that is not an event (a like); see comment-page.cache.ts. */
  page_version: Generated<number>;
}

// --- sign-in through the publisher's accounts (024_sso_*) ---
export interface CommentersTable {
  /** The site whose accounts this commenter signs in with; null: an anonymous (token) commenter. */
  sso_site_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The publisher's badge for this reader (e.g. "Subscriber"); never a staff role. */
  reader_badge: ColumnType<string | null, string | null | undefined, string | null>;
  /** The publisher vouched for `email` (`email_verified: true`); false again once the email changes (025). */
  email_verified: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface CommentsTable {
  reader_badge: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SsoIdentitiesTable {
  site_id: string;
  sub: string;
  commenter_id: string;
  created_at: GeneratedTimestamp;
  last_login_at: GeneratedTimestamp;
}

/** A ban that outlived the erasure of an SSO identity: only a keyed hash of `(site, sub)` (025). */
export interface SsoErasedBansTable {
  site_id: string;
  sub_hash: string;
  expires_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

export interface SecretKeysTable {
  name: string;
  secret: string;
  created_at: GeneratedTimestamp;
}

export interface CommenterTokensTable {
  token_hash: string;
  commenter_id: string;
  created_at: GeneratedTimestamp;
}

export type SsoAlg = 'HS256' | 'RS256' | 'ES256' | 'EdDSA';

export interface SsoKeysTable {
  id: string;
  site_id: string;
  kind: 'secret' | 'public' | 'jwks';
  kid: string | null;
  alg: SsoAlg;
  secret: string | null;
  public_jwk: Json<Record<string, unknown>> | null;
  jwks_url: string | null;
  created_at: GeneratedTimestamp;
  last_used_at: Timestamp | null;
  retired_at: Timestamp | null;
}

export interface SsoJtisTable {
  site_id: string;
  jti_hash: string;
  request_hash: string;
  sealed: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

export interface SsoCodesTable {
  code_hash: string;
  site_id: string;
  sub: string;
  claims: Json<Record<string, unknown>>;
  sealed: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface Database {
  sso_identities: SsoIdentitiesTable;
  commenter_tokens: CommenterTokensTable;
  sso_erased_bans: SsoErasedBansTable;
  secret_keys: SecretKeysTable;
  sso_keys: SsoKeysTable;
  sso_jtis: SsoJtisTable;
  sso_codes: SsoCodesTable;
}

export type SsoKey = Selectable<SsoKeysTable>;

// ---------------------------------------------------------------------------------------------
// The outbox (030_outbox): notifications written with the change, delivered by a worker.

export interface OutboxTable {
  id: Generated<number>;
  uid: string;
  kind: string;
  lane: string | null;
  dedupe_key: string | null;
  site_id: string | null;
  commenter_id: string | null;
  payload: Json<unknown>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: Timestamp;
  done_at: Timestamp | null;
  failed_at: Timestamp | null;
}

export interface Database {
  outbox: OutboxTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  slack_links: SlackLinkTable;
}

export type OutboxRow = Selectable<OutboxTable>;

// ---------------------------------------------------------------------------------------------
// Readers' mail (031_mail): addresses (double opt-in, stop) and subscriptions.

export interface MailAddressesTable {
  id: string;
  site_id: string;
  email: string;
  commenter_id: string | null;
  lang: 'en' | 'fr';
  secret: string;
  confirm_token_hash: string | null;
  confirm_sent_at: Timestamp | null;
  confirmed_at: Timestamp | null;
  stopped_at: Timestamp | null;
  created_at: Timestamp;
}

export interface MailSubscriptionsTable {
  id: string;
  address_id: string;
  site_id: string;
  commenter_id: string;
  thread_id: string;
  comment_id: string | null;
  scope: 'comment' | 'thread';
  notified_until: Timestamp;
  created_at: Timestamp;
}

export interface Database {
  mail_addresses: MailAddressesTable;
  mail_subscriptions: MailSubscriptionsTable;
}

export type MailAddress = Selectable<MailAddressesTable>;
export type MailSubscription = Selectable<MailSubscriptionsTable>;

export interface MailModeratorPrefsTable {
  id: string;
  member_id: string;
  site_id: string;
  flagged: Generated<boolean>;
  digest_hour: number | null;
  time_zone: string;
  lang: 'en' | 'fr';
  secret: string;
  updated_at: Timestamp;
  /** Admins: a mail when a webhook endpoint of the site is switched off (041_webhook_alerts). */
  webhook_alerts: Generated<boolean>;
}

export interface Database {
  mail_moderator_prefs: MailModeratorPrefsTable;
}

export type MailModeratorPrefs = Selectable<MailModeratorPrefsTable>;
export interface WebhookEndpointTable {
  id: string;
  site_id: string;
  kind: 'standard' | 'slack';
  url: string;
  events: Json<string[]>;
  description: Generated<string>;
  enabled: Generated<boolean>;
  secret: string;
  previous_secret: string | null;
  previous_until: Date | null;
  slack_signing_secret: string | null;
  failing_since: Date | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
}

export type WebhookEndpoint = Selectable<WebhookEndpointTable>;

export interface WebhookDeliveryTable {
  id: string;
  endpoint_id: string;
  site_id: string;
  event_id: string;
  event_type: string;
  subject_id: string;
  thread_id: string | null;
  attempt: number;
  status_code: number | null;
  latency_ms: number | null;
  error: string | null;
  ok: boolean;
  created_at: Date;
}

export type WebhookDelivery = Selectable<WebhookDeliveryTable>;

export interface SlackLinkTable {
  site_id: string;
  slack_user_id: string;
  member_id: string;
  created_at: Date;
}

// --- abuse defence (050_abuse) ---
/** One reason a comment's risk is what it is: a stable code, its share of the risk, and what it saw. */
export interface RiskReason {
  code: string;
  weight: number;
  detail: string;
}

export interface CommentsTable {
  /** 0–1, from the abuse signals; null: not assessed (staff, imports, older comments). */
  risk: ColumnType<number | null, number | null | undefined, number | null>;
  risk_reasons: ColumnType<RiskReason[] | null, string | null | undefined, string | null>;
}

export interface AbuseModelsTable {
  site_id: string;
  spam_docs: Generated<number>;
  ham_docs: Generated<number>;
  spam_tokens: Generated<number>;
  ham_tokens: Generated<number>;
  version: ColumnType<string, string | number | undefined, string | number>;
  updated_at: GeneratedTimestamp;
}

export interface AbuseFeaturesTable {
  site_id: string;
  feature: string;
  spam: Generated<number>;
  ham: Generated<number>;
  updated_at: GeneratedTimestamp;
}

export interface AbuseSamplesTable {
  comment_id: string;
  site_id: string;
  commenter_id: string | null;
  label: 'spam' | 'ham';
  features: ColumnType<string[], string, string>;
  created_at: ColumnType<Date, Date | string, Date | string>;
}

/** A mature site's logistic regression (101_abuse_regressions). */
export interface AbuseRegressionsTable {
  site_id: string;
  fitted_version: ColumnType<string, string | number | undefined, string | number>;
  samples: Generated<number>;
  bias: Generated<number>;
  weights: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
  fitted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  claimed_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AbuseFingerprintsTable {
  comment_id: string;
  site_id: string;
  thread_id: string;
  commenter_id: string | null;
  ip_hash: string | null;
  band0: number;
  band1: number;
  band2: number;
  band3: number;
  created_at: ColumnType<Date, Date | string, Date | string>;
}

// --- slow mode (051_slow_mode) ---
export interface ThreadsTable {
  /** Set by staff: each reader posts at most once every this many seconds; null: off. */
  slow_mode_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  /** Switched on by itself while the thread posts fast (the site's interval then); null: off. */
  slow_auto_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  /** When automatic slow mode ends unless the thread stays fast (app clock). */
  slow_auto_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The start of the current one-minute posting-speed window (app clock), and its posts. */
  speed_window_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  speed_window_posts: Generated<number>;
}

export interface SlowModePostsTable {
  thread_id: string;
  commenter_id: string | null;
  ip_hash: string | null;
  /** App clock. */
  posted_at: ColumnType<Date, Date | string, Date | string>;
}

// --- picks and Q&A (070_picks_qa) ---
export interface ThreadsTable {
  /** `qa`: readers' top-level comments are questions, answered by staff replies. */
  format: ColumnType<'comments' | 'qa', 'comments' | 'qa' | undefined, 'comments' | 'qa'>;
  /** Featured comments that are approved: the Picks tab's count. */
  featured_count: Generated<number>;
}

export interface CommentsTable {
  /** On a question of a Q&A thread: the staff reply that answered it. */
  answer_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface Database {
  abuse_models: AbuseModelsTable;
  abuse_features: AbuseFeaturesTable;
  abuse_samples: AbuseSamplesTable;
  abuse_fingerprints: AbuseFingerprintsTable;
  abuse_regressions: AbuseRegressionsTable;
  slow_mode_posts: SlowModePostsTable;
}

// --- proof of work (052_proof_of_work) ---
export interface PowKeysTable {
  id: string;
  secret: string;
  created_at: GeneratedTimestamp;
}

/** A solved challenge, claimed once across instances; kept until it would have expired (app clock). */
export interface PowUsedTable {
  challenge: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

// --- schedules and presets (080_thread_schedules, 081_thread_presets) ---
export interface ThreadsTable {
  /** Commenting closes by itself at this time (app clock); null: no schedule. */
  closes_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Commenting reopens by itself at this time (app clock); null: no schedule. */
  reopens_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** false: every reader's comment with a link is held. */
  links_allowed: Generated<boolean>;
}

export interface ThreadPresetsTable {
  id: string;
  site_id: string;
  name: string;
  /** A PresetSettings object (server/threads/preset.schema.ts). */
  settings: Json<Record<string, unknown>>;
  created_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
}

export type ThreadPreset = Selectable<ThreadPresetsTable>;

export interface Database {
  thread_presets: ThreadPresetsTable;
  pow_keys: PowKeysTable;
  pow_used: PowUsedTable;
}
