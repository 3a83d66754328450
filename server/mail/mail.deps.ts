import type { Clock } from '../clock';
import type { Db } from '../db';
import type { EventBus } from '../events';
import type { Outbox } from '../outbox/outbox';
import type { Mailer } from './mailer';

/** What readers' and moderators' mail needs: the database, the clock, the outbox and the transport. */
export interface MailDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
  outbox: Outbox;
  mailer: Mailer | null;
  publicUrl: string;
}
