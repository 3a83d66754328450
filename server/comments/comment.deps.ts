import type { AbuseDeps } from '../abuse/abuse.service';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Db, GatheredReads } from '../db';
import type { EventBus } from '../events';
import type { FloodGuard } from '../limits/flood';
import type { NetworkHasher } from '../privacy/network';
import type { Claimed, ClaimingInsert } from './comment.repo';
import type { ThreadWriter } from './thread-writer';

/** New comments, written in batches per thread (see thread-writer.ts and planClaimingThread). */
export type PostWriter = ThreadWriter<ClaimingInsert, Claimed>;

/** What a reader's write to a comment (post, edit, like, report) is given. */
export interface CommentDeps {
  db: Db;
  bus: EventBus;
  limits: FloodGuard;
  /** Slow mode compares against it (SPEC §13 "Time"). */
  clock: Clock;
  /** `rateLimits` off: automatic slow mode never switches on. */
  config: Pick<Config, 'rateLimits'>;
  network: NetworkHasher;
  /** Group commit of posts per thread (see thread-writer.ts); without it, a transaction per post. */
  writer?: PostWriter;
  /** A post's first read goes with those of other posts arriving at the same moment (db.ts gatheredReads). */
  reads?: GatheredReads;
  /** The abuse defence (SPEC §11); without it comments get no risk score. */
  abuse?: AbuseDeps;
}
