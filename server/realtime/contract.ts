/**
 * The socket contract between Parley and its clients: event names, payloads and acks. Types only,
 * so the browser client (client/shared) imports it without pulling in server code. Internal domain
 * events are a separate map (server/events.ts).
 */
import type { PollView } from '../polls/poll.view';
import type {
  CommentEventPayload,
  ThreadEventName,
  ThreadEventPayloads,
  ThreadUpdatedPayload,
} from '../threads/thread.events';

export type { CommentEventPayload, ThreadEventName, ThreadEventPayloads, ThreadUpdatedPayload };

/**
 * Why a connection is refused, as the client sees it in `connect_error` (`err.message`):
 * `unauthenticated`, `origin_not_allowed` (origin check: the engine answers 403 before any namespace),
 * `unavailable`. A server that shuts down closes the transport ("transport close"), which clients
 * treat as "reconnect elsewhere"; a server that cuts a client off for cause disconnects it
 * ("io server disconnect"), and the client must not retry blindly.
 */
export type ConnectErrorCode = 'unauthenticated' | 'origin_not_allowed' | 'unavailable';

export interface AckError {
  code: string;
  message: string;
  details?: Array<{ path?: string; message: string }>;
}

/** Every ack but thread:join's: the data, or why not. */
export type Ack<T> = { data: T } | { error: AckError };

// --- readers: the default namespace ---

/** `auth` of the reader handshake: a `ct_…` commenter token lets a reader see their own pending comments. */
export interface ReaderAuth {
  token?: string;
}

/** One replayed event, exactly as it was broadcast. */
export type MissedEvent = {
  [K in ThreadEventName]: { event: K; payload: ThreadEventPayloads[K] };
}[ThreadEventName];

export interface JoinInput {
  threadId: string;
  /** The last `seq` the client has applied; omitted on a first join after loading the thread over HTTP. */
  since?: number;
}

/**
 * `{seq, missed}`: joined; `seq` is the thread's current sequence number and `missed` every event
 * after `since` this reader may see, in order. `{resync: true}`: too much was missed, reload the
 * thread over HTTP and join again with its `seq`. `{error}`: refused.
 */
export type JoinAck = { seq: number; missed: MissedEvent[] } | { resync: true } | { error: AckError };

export interface PollResultsPayload {
  threadId: string;
  pollId: string;
  state: 'open' | 'closed';
  /** What anyone may see (the poll's visibility rule); null: changed, read GET /polls/:id for your own view. */
  results: PollView['results'];
}

export interface ReaderServerEvents {
  'comment:created': (payload: CommentEventPayload) => void;
  'comment:updated': (payload: CommentEventPayload) => void;
  'comment:removed': (payload: CommentEventPayload) => void;
  'thread:updated': (payload: ThreadUpdatedPayload) => void;
  /**
   * Where the thread stands on this connection: every event up to `seq` this reader may see has
   * been sent. With the heartbeat (every 5 s), and for each event this reader may not see.
   */
  'thread:seq': (payload: { threadId: string; seq: number }) => void;
  /** Coalesced, not replayed: a client that reconnects reads the poll again. */
  'poll:results': (payload: PollResultsPayload) => void;
  /** The commenter's token was revoked (erasure): forget it; the server disconnects right after. */
  'session:revoked': () => void;
}

export interface ReaderClientEvents {
  'thread:join': (input: JoinInput, ack: (result: JoinAck) => void) => void;
  'thread:leave': (input: { threadId: string }, ack?: (result: Ack<{ threadId: string }>) => void) => void;
}

// --- moderators: the /moderation namespace ---

export type QueueName = 'pending' | 'flagged' | 'spam' | 'rejected';
export type QueueCounts = Record<QueueName, number>;

export interface QueueItemPayload {
  siteId: string;
  queue: QueueName;
  commentId: string;
  threadId: string;
  /** The site's queue counter after this change (see QueueCountsPayload.version). */
  version?: number;
}

export interface QueueCountsPayload {
  siteId: string;
  counts: QueueCounts;
  /**
   * The site's queue counter: it grows with every comment entering or leaving a queue, and each
   * queue:added/removed carries its value. Counts with a version above the last event a dashboard
   * received tell it that it missed one: it reads the queue again.
   */
  version: number;
}

export interface ModerationServerEvents {
  'queue:added': (payload: QueueItemPayload) => void;
  'queue:removed': (payload: QueueItemPayload) => void;
  'queue:counts': (payload: QueueCountsPayload) => void;
}

export interface ModerationClientEvents {
  'queue:join': (input: { siteId: string }, ack: (result: Ack<QueueCountsPayload>) => void) => void;
  'queue:leave': (input: { siteId: string }, ack?: (result: Ack<{ siteId: string }>) => void) => void;
}
