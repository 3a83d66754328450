/**
 * The live client: follows threads over one Socket.IO connection and hands the caller each event
 * once, in order, across reconnects and failovers. Browser-safe; imports only types from the server.
 *
 *   const live = createLiveClient({ url: 'https://comments.example', token });
 *   const thread = live.follow(threadId, {
 *     since: page.seq,                       // the seq of the comment list loaded over HTTP
 *     onEvent: ({ event, payload }) => ...,  // comment:created, comment:updated, comment:removed, thread:updated
 *     onResync: async () => thread.resync((await reload()).seq),
 *   });
 *
 * WebSocket only: one TCP connection per client, so no load balancer needs sticky sessions.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  AckError,
  JoinAck,
  PollResultsPayload,
  ReaderClientEvents,
  ReaderServerEvents,
  ThreadEventName,
} from '../../server/realtime/contract';
import { type SequencerOptions, type ThreadEvent, ThreadSequencer } from './sequencer';
import { reconnectWhenOnline } from './online';

export type { ThreadEvent };

export type LiveStatus = 'connecting' | 'live' | 'offline' | 'resync' | 'stopped';

export interface FollowOptions {
  /** The thread's `seq` from the HTTP list the page shows; null to start from "now". */
  since: number | null;
  onEvent(event: ThreadEvent, info: { replayed: boolean }): void;
  /** Too much was missed: reload the thread over HTTP, then call `resync(seq)`. */
  onResync(): void;
  /** Live poll results (coalesced, not replayed: after a reconnect, read the poll again). */
  onPollResults?(payload: PollResultsPayload): void;
  onError?(error: AckError): void;
  onStatus?(status: LiveStatus): void;
}

export interface LiveThread {
  readonly threadId: string;
  /** The last seq settled: the caller may persist it. */
  readonly seq: number | null;
  resync(seq: number): void;
  stop(): void;
}

export interface LiveClientOptions {
  /** Parley's base URL. */
  url: string;
  /** A `ct_…` commenter token: the reader also receives their own pending comments. */
  token?: string | null;
  /** The token was revoked (erasure) or is not valid: forget it; the client goes on anonymously. */
  onTokenRejected?(): void;
  /** The server refused the connection for good (origin not allowed, cut off for flooding). */
  onRefused?(reason: string): void;
  sequencer?: SequencerOptions;
  /** Passed to socket.io-client (tests set `extraHeaders`, timeouts). */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

export interface LiveClient {
  follow(threadId: string, options: FollowOptions): LiveThread;
  readonly connected: boolean;
  close(): void;
}

const THREAD_EVENTS: ThreadEventName[] = ['comment:created', 'comment:updated', 'comment:removed', 'thread:updated'];
const RETRYABLE = new Set(['rate_limited', 'service_unavailable', 'database_unavailable', 'internal_error']);
const JOIN_TIMEOUT_MS = 10_000;

type ReaderSocket = Socket<ReaderServerEvents, ReaderClientEvents>;

export function createLiveClient(options: LiveClientOptions): LiveClient {
  const socket: ReaderSocket = io(options.url, {
    transports: ['websocket'],
    auth: options.token ? { token: options.token } : {},
    reconnectionDelay: 300,
    reconnectionDelayMax: 5_000,
    ...options.socket,
  });
  const threads = new Map<string, Follower>();
  let closed = false;
  const stopReconnecting = reconnectWhenOnline(socket);

  socket.on('connect', () => {
    for (const follower of threads.values()) follower.join();
  });
  socket.on('disconnect', (reason) => {
    for (const follower of threads.values()) follower.offline();
    // "io server disconnect": the server ended this session on purpose. A revoked token reconnects
    // anonymously; anything else (cut off for flooding) is not retried in a loop.
    if (reason === 'io server disconnect' && !closed) {
      if (tokenRevoked) {
        tokenRevoked = false;
        socket.connect();
      } else options.onRefused?.('disconnected by the server');
    }
  });
  let tokenRevoked = false;
  socket.on('session:revoked', () => {
    tokenRevoked = true;
    socket.auth = {};
    options.onTokenRejected?.();
  });
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    if (socket.active) return; // a network problem: socket.io-client retries by itself
    const code = err.data?.code ?? err.message;
    if (code === 'unauthenticated' && (socket.auth as { token?: string }).token) {
      socket.auth = {};
      options.onTokenRejected?.();
      socket.connect();
      return;
    }
    if (code === 'unavailable') {
      setTimeout(() => !closed && socket.connect(), 2_000);
      return;
    }
    options.onRefused?.(code);
  });
  socket.on('poll:results', (payload) => {
    threads.get(payload.threadId)?.pollResults(payload);
  });
  socket.on('thread:seq', ({ threadId, seq }) => threads.get(threadId)?.mark(seq));
  for (const name of THREAD_EVENTS) {
    socket.on(name, (payload: { threadId: string }) => {
      threads.get(payload.threadId)?.receive({ event: name, payload } as ThreadEvent);
    });
  }

  class Follower implements LiveThread {
    private readonly sequencer: ThreadSequencer;
    private stopped = false;
    private attempt = 0;
    private retryTimer: ReturnType<typeof setTimeout> | undefined;

    constructor(
      readonly threadId: string,
      private readonly opts: FollowOptions,
    ) {
      this.sequencer = new ThreadSequencer(
        opts.since,
        (event, replayed) => opts.onEvent(event, { replayed }),
        // A gap on a live connection: the missing range comes from the server's log.
        () => this.join(),
        options.sequencer,
      );
    }

    get seq(): number | null {
      return this.sequencer.seq;
    }

    join(): void {
      if (this.stopped || !socket.connected) return;
      clearTimeout(this.retryTimer);
      this.opts.onStatus?.('connecting');
      this.sequencer.joining();
      const since = this.sequencer.resumeFrom();
      socket
        .timeout(JOIN_TIMEOUT_MS)
        .emit('thread:join', since === undefined ? { threadId: this.threadId } : { threadId: this.threadId, since }, (err: Error | null, ack: JoinAck) => {
          if (this.stopped) return;
          if (err) return this.retry(); // no answer: the instance may be going away
          if ('error' in ack) {
            if (RETRYABLE.has(ack.error.code)) return this.retry();
            this.opts.onError?.(ack.error);
            this.stop();
            return;
          }
          if ('resync' in ack) {
            this.opts.onStatus?.('resync');
            this.opts.onResync();
            return;
          }
          this.attempt = 0;
          this.sequencer.joined(ack.seq, ack.missed);
          this.opts.onStatus?.('live');
        });
    }

    receive(event: ThreadEvent): void {
      if (!this.stopped) this.sequencer.receive(event);
    }

    mark(seq: number): void {
      if (!this.stopped) this.sequencer.mark(seq);
    }

    pollResults(payload: PollResultsPayload): void {
      if (!this.stopped) this.opts.onPollResults?.(payload);
    }

    offline(): void {
      this.sequencer.disconnected();
      if (!this.stopped) this.opts.onStatus?.('offline');
    }

    resync(seq: number): void {
      this.sequencer.reset(seq);
      this.join();
    }

    stop(): void {
      if (this.stopped) return;
      this.stopped = true;
      clearTimeout(this.retryTimer);
      this.sequencer.stop();
      threads.delete(this.threadId);
      if (socket.connected) socket.emit('thread:leave', { threadId: this.threadId });
      this.opts.onStatus?.('stopped');
    }

    private retry(): void {
      this.attempt += 1;
      const delay = Math.min(500 * 2 ** this.attempt, 10_000) * (0.5 + Math.random() / 2);
      this.retryTimer = setTimeout(() => this.join(), delay);
    }
  }

  return {
    follow(threadId, opts) {
      threads.get(threadId)?.stop();
      const follower = new Follower(threadId, opts);
      threads.set(threadId, follower);
      follower.join();
      return follower;
    },
    get connected() {
      return socket.connected;
    },
    close() {
      closed = true;
      stopReconnecting();
      for (const follower of [...threads.values()]) follower.stop();
      socket.disconnect();
    },
  };
}
