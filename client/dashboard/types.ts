import type { CommentView, CommentWithReplies } from '../../server/comments/comment.view';
import type { ModerationCommentView } from '../../server/moderation/moderation.view';

/** The shapes the dashboard reads from Parley's staff API (only the fields it uses). */
export type Role = 'admin' | 'moderator' | 'journalist';
export type QueueName = 'pending' | 'flagged' | 'spam' | 'rejected';
export type Counts = Record<QueueName, number>;
export type Action = 'approve' | 'reject' | 'spam' | 'restore' | 'feature' | 'unfeature';

export interface SiteRole {
  id: string;
  name: string;
  role: Role;
}

export interface Session {
  member: { id: string; email: string; name: string };
  sites: SiteRole[];
  csrfToken: string;
}

/** A comment as the public API shows it, and with its first replies: the server's types, not a copy. */
export type PublicComment = CommentView;
export type { CommentWithReplies };

/** A comment as moderators see it. */
export type ModComment = ModerationCommentView;

export interface ThreadInfo {
  id: string;
  key: string;
  url: string | null;
  title: string | null;
  state: 'open' | 'closed';
  mode: string | null;
  commentCount: number;
  slowModeSeconds: number | null;
  slowMode: { seconds: number; automatic: boolean } | null;
  format: 'comments' | 'qa';
  picks: number;
  closesAt: string | null;
  reopensAt: string | null;
  linksAllowed: boolean;
  createdAt: string;
  polls: Poll[];
}

/** A preset of thread settings (server/threads/preset.schema.ts): only what it names is set. */
export interface PresetSettings {
  mode?: 'post' | 'pre' | 'first_time' | null;
  slowModeSeconds?: number | null;
  linksAllowed?: boolean;
  format?: 'comments' | 'qa';
  closeAfterHours?: number | null;
}

export interface PresetView {
  id: string;
  siteId: string;
  name: string;
  settings: PresetSettings;
  createdAt: string;
  updatedAt: string;
}

export interface QueueItem {
  comment: ModComment;
  thread: ThreadInfo | null;
  parent: PublicComment | null;
  flags: { count: number; open: number; reasons: Record<string, number> };
  commenter: {
    id: string;
    name: string | null;
    email: string | null;
    since: string;
    banned: boolean;
    erased: boolean;
    history: Record<'approved' | 'pending' | 'rejected' | 'spam' | 'deleted', number>;
  } | null;
  member: { name: string; badge: string | null } | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Ban {
  id: string;
  scope: 'commenter' | 'network';
  commenter: { id: string; name: string | null; email: string | null } | null;
  reason: string | null;
  createdBy: { name: string | null };
  createdAt: string;
  expiresAt: string | null;
  active: boolean;
}

export interface LogEntry {
  id: string;
  at: string;
  actor: { type: string; name: string | null };
  action: string;
  target: { type: string; id: string | null };
  commentId: string | null;
  from: string | null;
  to: string | null;
  reason: string | null;
}

export interface Poll {
  id: string;
  question: string;
  state: 'open' | 'closed';
  options: { id: string; label: string; votes?: number }[];
}

export interface SiteSettings {
  moderation: 'pre' | 'post' | 'first_time';
  blockedWords: string[];
  heldWords: string[];
  maxLinks: number;
  editWindowMinutes: number;
  flagThreshold: number;
  slowModeAutoPerMinute: number;
  slowModeAutoSeconds: number;
  slowModeQuietMinutes: number;
  closeAfterHours: number;
}

export interface SsoSettings {
  mode: 'off' | 'optional' | 'required';
  issuer: string | null;
  loginUrl: string | null;
  logoutUrl: string | null;
  tokenMaxAge: number;
}

export interface SsoKey {
  id: string;
  kind: 'secret' | 'public' | 'jwks';
  kid: string | null;
  alg: string;
  jwksUrl: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  retiredAt: string | null;
}

export interface Site {
  id: string;
  name: string;
  origins: string[];
  settings: SiteSettings;
}

export interface PrivacyRequest {
  id: string;
  kind: 'export' | 'erase';
  email: string | null;
  identities: number;
  createdAt: string;
}

export interface WebhookView {
  id: string;
  kind: 'standard' | 'slack';
  url: string;
  events: string[];
  description: string;
  enabled: boolean;
  switchedOffReason: string | null;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  type: string;
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  createdAt: string;
}

/** A member's own mail choices for one site (GET/PUT /sites/:id/notifications). */
export interface MailChoices {
  siteId: string;
  flagged: boolean;
  digestHour: number | null;
  timeZone: string;
  lang: string | null;
  updatedAt: string | null;
  sendsMail: boolean;
}
