import type http from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { Server } from 'socket.io';
import type { Deps } from '../deps';
import { chooseAdapter } from './adapter';
import { broadcastThreadEvents } from './broadcast';
import { createDelivery, DEFAULT_DELIVERY, type DeliveryOptions } from './delivery';
import { createEventLimiter, DEFAULT_EVENT_LIMITS, type EventLimits, originGate } from './guards';
import { moderationNamespace, type ModerationNamespace } from './moderation';
import type { ReaderNamespace } from './reader-socket';
import { DEFAULT_READER_OPTIONS, readerNamespace, type ReaderOptions } from './readers';
import { broadcastPollResults } from './polls';
import { followStaffAccess } from './staff-access';
import { MODERATION_NAMESPACE } from './rooms';

export interface RealtimeOptions {
  draining: () => boolean;
  limits?: Partial<EventLimits>;
  readers?: Partial<ReaderOptions>;
  delivery?: Partial<DeliveryOptions>;
  /** How often moderators get their sites' queue counts again, whatever they were told (default 5 s). */
  queueHeartbeatMs?: number;
  /** How often open /moderation sockets' sessions and keys are checked again (tests shorten it). */
  staffRecheckMs?: number;
}

export interface Realtime {
  io: Server;
  adapterKind: 'memory' | 'postgres' | 'redis';
  /**
   * Closes every live connection at the transport level. Clients see "transport close", which they
   * treat as "reconnect": behind a load balancer that lands them on another instance, where they
   * re-join with `since` and miss nothing.
   */
  disconnectAll(): void;
  /** Drops connections that did not finish closing (a client that never answered the close). */
  destroyAll(): void;
  /** Stops listening to domain events and releases the adapter. */
  close(): Promise<void>;
}

/** Client messages are a few hundred bytes; anything near this is not a Parley client. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * Attaches Socket.IO to the HTTP server. WebSocket is the only transport: a WebSocket is one TCP
 * connection, so any load balancer that passes upgrades works without sticky sessions (HTTP
 * long-polling would spread one session's requests over instances that do not know it).
 */
export async function createRealtime(deps: Deps, server: http.Server, options: RealtimeOptions): Promise<Realtime> {
  const choice = await chooseAdapter(deps.config, deps.database, deps.log);
  const io = new Server(server, {
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    connectTimeout: 10_000,
    allowRequest: originGate(deps.origins, options.draining),
    ...(choice.adapter ? { adapter: choice.adapter as never } : {}),
  });

  const limits = { ...DEFAULT_EVENT_LIMITS, ...options.limits };
  const guard = createEventLimiter(limits, deps.log, deps.config.rateLimits);
  const readers = io.of('/') as unknown as ReaderNamespace;
  const delivery = createDelivery(readers, deps, { ...DEFAULT_DELIVERY, ...options.delivery });
  readerNamespace(readers, deps, guard, delivery, { ...DEFAULT_READER_OPTIONS, ...options.readers });
  const moderation = io.of(MODERATION_NAMESPACE) as unknown as ModerationNamespace;
  const stopQueues = moderationNamespace(moderation, deps, guard, options.queueHeartbeatMs);
  const stopBroadcasts = broadcastThreadEvents(readers, deps.bus, delivery, choice.kind !== 'memory');
  const stopPolls = broadcastPollResults(readers, deps);
  const stopStaffAccess = followStaffAccess(moderation, deps, choice.kind !== 'memory', options.staffRecheckMs);

  const upgraded = new Set<NetSocket>();
  const onUpgrade = (_req: http.IncomingMessage, socket: NetSocket) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
  };
  server.on('upgrade', onUpgrade);

  let closed = false;
  return {
    io,
    adapterKind: choice.kind,
    disconnectAll() {
      // Client by client rather than engine.close(), which would also stop accepting upgrades: an
      // instance that is not shutting down (an operator's "rebalance") keeps serving.
      for (const nsp of [readers, moderation]) for (const socket of nsp.sockets.values()) socket.conn.close();
    },
    destroyAll() {
      for (const socket of upgraded) socket.destroy();
    },
    async close() {
      if (closed) return;
      closed = true;
      stopBroadcasts();
      delivery.stop();
      stopPolls();
      stopStaffAccess();
      stopQueues();
      server.off('upgrade', onUpgrade);
      io.engine.close();
      // Each adapter releases its LISTEN connection, heartbeat and stream reader.
      await Promise.allSettled([readers.adapter.close(), moderation.adapter.close()]);
      await choice.close();
    },
  };
}
