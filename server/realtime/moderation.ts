import type { Namespace, Socket } from 'socket.io';
import type { Deps } from '../deps';
import { errors } from '../errors';
import type { DomainEvents } from '../events';
import { parse } from '../validate';
import type { ModerationPrincipal } from '../members/moderation-auth';
import { queueVersion } from '../sites/site.repo';
import { getSite } from '../sites/site.service';
import { ackError, connectError } from './acks';
import type { ModerationClientEvents, ModerationServerEvents, QueueCountsPayload, QueueName } from './contract';
import { queueCounts } from '../moderation/queue.repo';
import { QueueJoinSchema } from './realtime.schema';
import { queueRoom, staffRoomsOf } from './rooms';

export type ModerationNamespace = Namespace<ModerationClientEvents, ModerationServerEvents>;
type ModerationSocket = Socket<ModerationClientEvents, ModerationServerEvents>;

const QUEUE_OF: Partial<Record<string, QueueName>> = { pending: 'pending', spam: 'spam', rejected: 'rejected' };

export function moderationNamespace(nsp: ModerationNamespace, deps: Deps, guard: (socket: Socket) => void, heartbeatMs = 5_000): () => void {
  const principals = new WeakMap<ModerationSocket, ModerationPrincipal>();

  nsp.use((socket, next) => {
    const authenticate = deps.moderationAuth;
    if (!authenticate) return next(connectError('unavailable', 'Moderator live updates are not enabled on this server.'));
    // Session cookies ride along with any request the browser makes: only Parley's own pages (the
    // dashboard) may use them here, or any site could listen to the queues as a logged-in moderator.
    const origin = socket.handshake.headers.origin;
    if (origin && origin !== deps.config.publicOrigin) {
      return next(connectError('origin_not_allowed', 'The moderation stream is only available to Parley’s own pages.'));
    }
    authenticate({ headers: socket.handshake.headers, auth: (socket.handshake.auth ?? {}) as Record<string, unknown> }).then(
      (principal) => {
        if (!principal) return next(connectError('unauthenticated', 'Sign in, or send an API key, to follow the moderation queues.'));
        principals.set(socket, principal);
        socket.data.principal = principal;
        next();
      },
      (err: unknown) => {
        deps.log.warn({ err: (err as Error).message }, 'moderation handshake failed');
        next(connectError('unavailable', 'Live updates are unavailable right now. Please try again shortly.'));
      },
    );
  });

  nsp.on('connection', (socket: ModerationSocket) => {
    guard(socket);
    // Rooms of the access it was opened with, so that revoking that access can end it (staff-access.ts).
    const principal = principals.get(socket);
    if (principal) void socket.join(staffRoomsOf(principal));
    socket.on('queue:join', (input, ack) => {
      if (typeof ack !== 'function') return;
      (async () => {
        const { siteId } = parse(QueueJoinSchema, input, 'event');
        const principal = principals.get(socket);
        // Another site's queues are "not found", as over HTTP: no probing which sites exist.
        if (!principal || !(await principal.canModerate(siteId))) throw errors.notFound('The site');
        await socket.join(queueRoom(siteId));
        return { data: await countsOf(deps, siteId) };
      })().then(ack, (err: unknown) => ack(ackError(err, deps.log)));
    });
    socket.on('queue:leave', (input, ack) => {
      try {
        const { siteId } = parse(QueueJoinSchema, input, 'event');
        void socket.leave(queueRoom(siteId));
        ack?.({ data: { siteId } });
      } catch (err) {
        ack?.(ackError(err, deps.log));
      }
    });
  });

  return publishQueueChanges(nsp, deps, heartbeatMs);
}

async function countsOf(deps: Deps, siteId: string): Promise<QueueCountsPayload> {
  const site = await getSite(deps.db, siteId);
  // The version first: the counts read after it include at least the changes it counts.
  const version = await queueVersion(deps.db, siteId);
  return { siteId, counts: await queueCounts(deps.db, siteId, site.settings.flagThreshold), version };
}

/**
 * Status changes move comments between queues. Items are announced at once; counts follow,
 * coalesced per site, so a bulk decision on 100 comments costs one count query, not 100.
 */
function publishQueueChanges(nsp: ModerationNamespace, deps: Deps, heartbeatMs: number, coalesceMs = 150): () => void {
  const scheduled = new Map<string, NodeJS.Timeout>();

  function scheduleCounts(siteId: string): void {
    if (scheduled.has(siteId)) return;
    const timer = setTimeout(() => {
      scheduled.delete(siteId);
      countsOf(deps, siteId).then(
        (payload) => nsp.to(queueRoom(siteId)).emit('queue:counts', payload),
        (err: unknown) => deps.log.warn({ err: (err as Error).message, siteId }, 'queue counts failed'),
      );
    }, coalesceMs);
    scheduled.set(siteId, timer);
  }

  const off = deps.bus.on('comment.status', (e: DomainEvents['comment.status']) => {
    const from = e.from ? QUEUE_OF[e.from] : undefined;
    const to = QUEUE_OF[e.to];
    const room = nsp.to(queueRoom(e.siteId));
    if (from !== to) {
      if (from) room.emit('queue:removed', { siteId: e.siteId, queue: from, commentId: e.commentId, threadId: e.threadId, version: e.queueVersion });
      if (to) room.emit('queue:added', { siteId: e.siteId, queue: to, commentId: e.commentId, threadId: e.threadId, version: e.queueVersion });
    }
    // A new comment published at once (no reports yet) is in no queue: no count moves. On a busy
    // site that is most comments, and the counts are a query over all of the site's comments.
    if (!e.from && !to) return;
    scheduleCounts(e.siteId);
  });
  // A report that brings an approved comment to the site's threshold puts it in the flagged queue.
  const offFlagged = deps.bus.on('comment.flagged', (e: DomainEvents['comment.flagged']) => {
    if (e.entered) nsp.to(queueRoom(e.siteId)).emit('queue:added', { siteId: e.siteId, queue: 'flagged', commentId: e.commentId, threadId: e.threadId, version: e.queueVersion });
    scheduleCounts(e.siteId);
  });
  // Any decision on an approved comment clears its flags: it leaves the flagged queue whatever it was.
  const offDecided = deps.bus.on('moderation.decided', (e: DomainEvents['moderation.decided']) => {
    if (e.from === 'approved') nsp.to(queueRoom(e.siteId)).emit('queue:removed', { siteId: e.siteId, queue: 'flagged', commentId: e.commentId, threadId: e.threadId, version: e.queueVersion });
    scheduleCounts(e.siteId);
  });
  // A bulk import: the counts are read again once, rather than an event per imported comment.
  const offImported = deps.bus.on('site.imported', (e: DomainEvents['site.imported']) => scheduleCounts(e.siteId));
  const stopHeartbeat = queueHeartbeat(nsp, deps, heartbeatMs);

  return () => {
    stopHeartbeat();
    off();
    offFlagged();
    offDecided();
    offImported();
    for (const timer of scheduled.values()) clearTimeout(timer);
    scheduled.clear();
  };
}

/**
 * Queue changes reach other instances' moderators through the adapter, and a notification can be
 * lost (a LISTEN connection cut for a moment). So every `everyMs` each instance reads the counts of
 * the sites its own moderators follow and sends them with the site's queue version: a dashboard
 * that has not seen that version's events reads the queue again (SPEC §13 "Live delivery").
 */
function queueHeartbeat(nsp: ModerationNamespace, deps: Deps, everyMs: number): () => void {
  const timer = setInterval(() => {
    for (const [room, sockets] of nsp.adapter.rooms) {
      if (!room.startsWith('queue:') || sockets.size === 0) continue;
      const siteId = room.slice('queue:'.length);
      countsOf(deps, siteId).then(
        (payload) => nsp.local.to(room).emit('queue:counts', payload),
        () => {}, // the database is away: the next beat tries again
      );
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
