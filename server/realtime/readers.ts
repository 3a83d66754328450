import type { Socket } from 'socket.io';
import { authenticateToken } from '../commenters/commenter.service';
import type { Deps } from '../deps';
import { AppError, errors } from '../errors';
import { parse } from '../validate';
import * as siteRepo from '../sites/site.repo';
import * as threadRepo from '../threads/thread.repo';
import { ackError, connectError } from './acks';
import type { JoinAck, JoinInput, ReaderAuth } from './contract';
import type { Delivery } from './delivery';
import type { ReaderNamespace, ReaderSocket } from './reader-socket';
import { JoinThreadSchema, LeaveThreadSchema } from './realtime.schema';
import { eventsBetween, replayHead } from './replay.repo';
import { commenterRoom, isThreadRoom, threadCommenterRoom, threadRoom } from './rooms';
import { outgoing } from './visibility';

export interface ReaderOptions {
  /** More missed events than this answers `{resync: true}`: reloading the thread is cheaper. */
  maxMissed: number;
  /** Threads one connection may follow at once (a page with a few embeds needs a few). */
  maxThreadsPerSocket: number;
}

export const DEFAULT_READER_OPTIONS: ReaderOptions = { maxMissed: 500, maxThreadsPerSocket: 20 };

/**
 * The default namespace: readers. The handshake's `auth.token` (a `ct_…` commenter token) is
 * optional; with it, the reader also receives the events of their own comments that others may not
 * see yet (pending). A token that is not valid is refused, as over HTTP, so the browser forgets it.
 */
export function readerNamespace(
  nsp: ReaderNamespace,
  deps: Deps,
  guard: (socket: Socket) => void,
  delivery: Delivery,
  options: ReaderOptions,
): void {
  nsp.use((socket, next) => {
    const token = (socket.handshake.auth as ReaderAuth | undefined)?.token;
    socket.data.commenterId = null;
    if (token === undefined || token === null || token === '') return next();
    if (typeof token !== 'string') return next(connectError('unauthenticated', 'The commenter token is not valid.'));
    authenticateToken(deps.db, token).then(
      (commenter) => {
        socket.data.commenterId = commenter.id;
        next();
      },
      (err: unknown) => {
        if (err instanceof AppError && err.kind === 'unauthenticated') return next(connectError('unauthenticated', err.message));
        deps.log.warn({ err: (err as Error).message }, 'socket handshake failed');
        next(connectError('unavailable', 'Live updates are unavailable right now. Please try again shortly.'));
      },
    );
  });

  nsp.on('connection', (socket: ReaderSocket) => {
    guard(socket);
    if (socket.data.commenterId) void socket.join(commenterRoom(socket.data.commenterId));

    socket.on('thread:join', (input, ack) => {
      if (typeof ack !== 'function') return;
      joinThread(deps, socket, input, delivery, options).then(ack, (err: unknown) => ack(ackError(err, deps.log)));
    });

    socket.on('thread:leave', (input, ack) => {
      try {
        const { threadId } = parse(LeaveThreadSchema, input, 'event');
        leaveThread(socket, threadId);
        ack?.({ data: { threadId } });
      } catch (err) {
        ack?.(ackError(err, deps.log));
      }
    });
  });
}

function roomsOf(socket: ReaderSocket, threadId: string): string[] {
  const rooms = [threadRoom(threadId)];
  if (socket.data.commenterId) rooms.push(threadCommenterRoom(threadId, socket.data.commenterId));
  return rooms;
}

function leaveThread(socket: ReaderSocket, threadId: string): void {
  for (const room of roomsOf(socket, threadId)) void socket.leave(room);
}

/**
 * Joins a thread and answers what the reader missed. The order matters: the socket joins the rooms
 * first and reads the log after, so an event committed in between arrives live, in the replay, or
 * both (the client drops duplicates by comment id and seq), never neither. The thread's seq is read
 * before the events: nextSeq's row lock makes events commit in seq order, so every event up to that
 * seq is already in the log.
 */
async function joinThread(deps: Deps, socket: ReaderSocket, raw: unknown, delivery: Delivery, options: ReaderOptions): Promise<JoinAck> {
  const input: JoinInput = parse(JoinThreadSchema, raw, 'event');
  const thread = await threadRepo.findThread(deps.db, input.threadId);
  if (!thread) throw errors.notFound('The thread');

  const origin = socket.handshake.headers.origin;
  if (origin && origin !== deps.config.publicOrigin) {
    const site = await siteRepo.findSite(deps.db, thread.site_id);
    if (!site || !(site.origins as unknown as string[]).includes(origin)) {
      throw errors.forbidden('origin_not_allowed', 'Pages on this origin cannot follow this site’s threads.');
    }
  }
  const room = threadRoom(thread.id);
  if (!socket.rooms.has(room) && [...socket.rooms].filter(isThreadRoom).length >= options.maxThreadsPerSocket) {
    throw errors.conflict('too_many_threads', `One connection can follow at most ${options.maxThreadsPerSocket} threads; leave one first.`);
  }

  await socket.join(roomsOf(socket, thread.id));
  try {
    const head = await replayHead(deps.db, thread.id);
    if (!head) throw errors.notFound('The thread');
    delivery.joined(thread.id, head.seq);
    const since = input.since;
    if (since === undefined || since === head.seq) return { seq: head.seq, missed: [] };
    // Ahead of the thread (a stale client, a restored database) or older than the log keeps.
    const pruned = head.firstSeq !== null && since < head.firstSeq - 1;
    if (since > head.seq || pruned) return resync(socket, thread.id);

    const rows = await eventsBetween(deps.db, {
      siteId: thread.site_id,
      threadId: thread.id,
      since,
      upTo: head.seq,
      commenterId: socket.data.commenterId,
      limit: options.maxMissed + 1,
    });
    if (rows.length > options.maxMissed) return resync(socket, thread.id);
    const missed = rows.map(outgoing);
    return { seq: head.seq, missed };
  } catch (err) {
    leaveThread(socket, thread.id);
    throw err;
  }
}

/** Not joined: the client reloads the thread over HTTP and joins again with the seq it got. */
function resync(socket: ReaderSocket, threadId: string): JoinAck {
  leaveThread(socket, threadId);
  return { resync: true };
}
