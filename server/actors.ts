import type { Commenter } from '../db/schema';

/** Who is asking: a reader (maybe without identity yet) and what we may keep about their request. */
export interface ReaderActor {
  commenter: Commenter | null;
  ipHash: string | null;
  userAgent: string | null;
  /** The request's address, in memory only: network bans are checked against it; never stored. */
  ip?: string | null;
  /** A member posting through the moderation API: no commenter identity, their name and badge. */
  member?: { id: string; name: string; badge: string } | null;
  /** The site whose `sk_` key the request carries (the publisher's server): its posts need no proof of work. */
  apiKeySiteId?: string | null;
}
