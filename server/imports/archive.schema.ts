import { z } from 'zod';
import { stripFormatCharacters } from '../text';
import { strictWebsite } from '../website';
import { SLOW_MODE_MAX_SECONDS } from '../threads/slow-mode.rules';
import { PresetSettingsSchema } from '../threads/preset.schema';

/**
 * The Parley archive: JSON Lines, one JSON object per line, each with a `type`. A line per record
 * lets a site of any size be written and read back as a stream, and lets an error name its line.
 * Order: header, site, members (with their role on the site), thread presets, threads, commenters, comments (with
 * their edits), reactions, flags, polls (with options and tallies), ballots, bans, the moderation
 * log, then an end record with the counts, so a file cut short is recognised. Rendered HTML, network
 * hashes, user agents, password hashes, sessions and API keys are never in it, nor are webhook
 * endpoints (each has a signing secret: they are set up again on the new server).
 */
export const ARCHIVE_FORMAT = 'parley-archive';
export const ARCHIVE_VERSION = 1;

const Id = z.string().regex(/^[0-9a-z]{16}$/, 'must be a Parley id (16 lower-case letters and digits)');
const Time = z.iso.datetime({ offset: true });
const Status = z.enum(['pending', 'approved', 'rejected', 'spam', 'deleted']);

export const HeaderRecord = z.object({
  type: z.literal('header'),
  format: z.literal(ARCHIVE_FORMAT),
  version: z.literal(ARCHIVE_VERSION),
  exportedAt: Time,
  siteId: z.string(),
});

export const SiteRecord = z.object({
  type: z.literal('site'),
  id: z.string(),
  name: z.string().min(1).max(200),
  origins: z.array(z.string()),
  settings: z.record(z.string(), z.unknown()),
  createdAt: Time,
});

/** A member of the site's newsroom, without any password: a restored member sets one before signing in. */
export const MemberRecord = z.object({
  type: z.literal('member'),
  id: z.string().min(1).max(64),
  email: z.email().max(254),
  name: z.string().min(1).max(200),
  role: z.enum(['admin', 'moderator', 'journalist']),
  createdAt: Time,
});

/** A preset of thread settings (SPEC §12), kept as the dashboard shows it. */
export const PresetRecord = z.object({
  type: z.literal('preset'),
  id: z.string().min(1).max(64),
  name: z.string().trim().min(1).max(80),
  settings: PresetSettingsSchema,
  createdAt: Time,
  updatedAt: Time,
});

export const ThreadRecord = z.object({
  type: z.literal('thread'),
  id: Id,
  key: z.string().min(1).max(2000),
  url: z.string().nullable(),
  title: z.string().nullable(),
  state: z.enum(['open', 'closed']),
  mode: z.enum(['pre', 'post', 'first_time']).nullable(),
  createdAt: Time,
  // Reader format and heat controls (absent in archives written before them: the defaults).
  format: z.enum(['comments', 'qa']).optional(),
  slowModeSeconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS).nullable().optional(),
  linksAllowed: z.boolean().optional(),
  closesAt: Time.nullable().optional(),
  reopensAt: Time.nullable().optional(),
});

/** Restored names and websites pass the checks a reader's own would (an archive can be edited). */
const Name = z.string().nullable().transform((v) => (v === null ? null : stripFormatCharacters(v)));
const Website = z.string().max(2000).nullable().transform((v) => (v === null ? null : strictWebsite(v)));

export const CommenterRecord = z.object({
  type: z.literal('commenter'),
  id: Id,
  name: Name,
  email: z.string().nullable(),
  website: Website,
  /** A hash of a 192-bit random token, useless to anyone who reads it; kept so readers keep their identity. */
  tokenHash: z.string().nullable(),
  showVote: z.boolean(),
  createdAt: Time,
  erasedAt: Time.nullable(),
});

export const CommentRecord = z.object({
  type: z.literal('comment'),
  id: Id,
  threadId: Id,
  parentId: Id.nullable(),
  replyToId: Id.nullable(),
  rootId: Id.nullable(),
  depth: z.number().int().min(0).max(100),
  commenterId: Id.nullable(),
  memberId: z.string().nullable(),
  authorName: z.string().max(200).nullable().pipe(Name),
  authorWebsite: Website,
  badge: z.string().max(50).nullable(),
  bodySrc: z.string().max(500_000),
  status: Status,
  previousStatus: Status.nullable(),
  featured: z.boolean(),
  /** On a Q&A question: the staff reply that answered it. */
  answerId: Id.nullable().optional(),
  createdAt: Time,
  editedAt: Time.nullable(),
  deletedAt: Time.nullable(),
  edits: z.array(z.object({ bodySrc: z.string().max(500_000), editedAt: Time })),
});

export const ReactionRecord = z.object({ type: z.literal('reaction'), commentId: Id, commenterId: Id, createdAt: Time });

export const FlagRecord = z.object({
  type: z.literal('flag'),
  commentId: Id,
  commenterId: Id.nullable(),
  reason: z.string().min(1).max(100),
  note: z.string().max(5000).nullable(),
  createdAt: Time,
});

export const PollRecord = z.object({
  type: z.literal('poll'),
  id: Id,
  threadId: Id,
  question: z.string().min(1).max(1000),
  kind: z.enum(['single', 'multiple']),
  maxChoices: z.number().int().min(1),
  visibility: z.enum(['always', 'after_vote', 'after_close']),
  networkCap: z.number().int().min(0),
  closesAt: Time.nullable(),
  closedAt: Time.nullable(),
  createdBy: z.string().nullable(),
  createdAt: Time,
  options: z.array(z.object({ id: Id, label: z.string().min(1).max(500), position: z.number().int().min(0) })).min(2).max(20),
  /** Votes per option id at export time; the ballots below must add up to them. */
  tallies: z.record(z.string(), z.number().int().min(0)),
});

export const BallotRecord = z.object({
  type: z.literal('ballot'),
  pollId: Id,
  commenterId: Id,
  optionIds: z.array(Id).min(1).max(20),
  createdAt: Time,
  updatedAt: Time,
});

/** A ban of a commenter. Network bans are not archived: their hashes are useless without this server's daily keys. */
export const BanRecord = z.object({
  type: z.literal('ban'),
  id: Id,
  commenterId: Id,
  commentId: Id.nullable(),
  reason: z.string().max(1000).nullable(),
  createdBy: z.object({ type: z.enum(['member', 'key', 'system']), id: z.string().nullable(), name: z.string().nullable() }),
  createdAt: Time,
  expiresAt: Time.nullable(),
  liftedAt: Time.nullable(),
});

/** An entry of the moderation log: who did what to which comment, when and why. */
export const LogRecord = z.object({
  type: z.literal('log'),
  actor: z.object({ type: z.enum(['member', 'key', 'system']), id: z.string().nullable(), name: z.string().nullable() }),
  action: z.string().min(1).max(100),
  targetType: z.string().min(1).max(50),
  targetId: z.string().max(200).nullable(),
  commentId: z.string().max(64).nullable(),
  threadId: z.string().max(64).nullable(),
  commenterId: z.string().max(64).nullable(),
  from: z.string().max(50).nullable(),
  to: z.string().max(50).nullable(),
  reason: z.string().max(2000).nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: Time,
});

export const EndRecord = z.object({ type: z.literal('end'), counts: z.record(z.string(), z.number().int().min(0)) });

export const ArchiveRecord = z.discriminatedUnion('type', [
  HeaderRecord,
  SiteRecord,
  MemberRecord,
  PresetRecord,
  ThreadRecord,
  CommenterRecord,
  CommentRecord,
  ReactionRecord,
  FlagRecord,
  PollRecord,
  BallotRecord,
  BanRecord,
  LogRecord,
  EndRecord,
]);
export type ArchiveRecord = z.infer<typeof ArchiveRecord>;
export type ArchiveRecordOf<T extends ArchiveRecord['type']> = Extract<ArchiveRecord, { type: T }>;
