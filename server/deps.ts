import type { Logger } from 'pino';
import type { AbuseDeps } from './abuse/abuse.service';
import type { CommentPageCache } from './comments/comment-page.cache';
import type { PostWriter } from './comments/comment.deps';
import type { AdjustableClock } from './clock';
import type { Config } from './config';
import type { DatabaseHandle, Db, GatheredReads } from './db';
import type { EventBus } from './events';
import type { Mailer } from './mail/mailer';
import type { FloodGuard } from './limits/flood';
import type { NetworkHasher } from './privacy/network';
import type { ModerationAuthenticator } from './members/moderation-auth';
import type { OriginCache } from './sites/site.service';
import type { Outbox } from './outbox/outbox';

/**
 * Everything the application needs, built once in app.ts and passed down; no module singletons.
 * Part of the composition root with app.ts: it names the domains' and adapters' types, so core
 * files never import it.
 */
export interface Deps {
  config: Config;
  /** The one clock schedules compare against (SPEC §13 "Time"); tests may advance it. */
  clock: AdjustableClock;
  database: DatabaseHandle;
  db: Db;
  bus: EventBus;
  log: Logger;
  origins: OriginCache;
  network: NetworkHasher;
  /** Outgoing mail (lost-token links); null when SMTP_URL is unset. */
  mailer: Mailer | null;
  /** Notifications written with the change and delivered by this instance's worker (mail, webhooks). */
  outbox: Outbox;
  /** Flood limits per commenter and per hashed network (off with PARLEY_RATE_LIMITS=off). */
  limits: FloodGuard;
  /** Members' sessions and API keys for the /moderation live stream; without it that stream refuses everyone. */
  moderationAuth?: ModerationAuthenticator;
  /** Hot thread pages in memory, checked against the thread's clocks on every read; none: uncached. */
  pages?: CommentPageCache;
  /** Posts to one thread committed together (group commit); none: a transaction per post. */
  writer?: PostWriter;
  /** Posts' first reads arriving together, sent in one round trip; none: each alone. */
  reads?: GatheredReads;
  /** The abuse defence: risk scores, the per-site model, fingerprints (SPEC §11). */
  abuse?: AbuseDeps;
}
