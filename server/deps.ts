import type { Logger } from 'pino';
import type { Config } from './config';
import type { DatabaseHandle, Db } from './db';
import type { EventBus } from './events';
import type { Mailer } from './privacy/mailer';
import type { NetworkHasher } from './privacy/network';
import type { OriginCache } from './sites/site.service';

/** Everything the application needs, built once in app.ts and passed down; no module singletons. */
export interface Deps {
  config: Config;
  database: DatabaseHandle;
  db: Db;
  bus: EventBus;
  log: Logger;
  origins: OriginCache;
  network: NetworkHasher;
  /** Outgoing mail (lost-token links); null when SMTP_URL is unset. */
  mailer: Mailer | null;
}
