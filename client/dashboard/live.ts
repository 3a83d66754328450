import { io, type Socket } from 'socket.io-client';
import { reconnectWhenOnline } from '../shared/online';
import type { ModerationClientEvents, ModerationServerEvents, QueueCountsPayload, QueueItemPayload } from '../../server/realtime/contract';

/**
 * The `/moderation` namespace on Parley's own origin: the session cookie rides along with the
 * WebSocket handshake, so no token is kept in the page. One site's queue room at a time.
 */
export interface LiveHandlers {
  onCounts(payload: QueueCountsPayload): void;
  onAdded(payload: QueueItemPayload): void;
  onRemoved(payload: QueueItemPayload): void;
  onStatus(live: boolean): void;
}

export interface Live {
  join(siteId: string | null): void;
  setHandlers(handlers: Partial<LiveHandlers>): void;
  close(): void;
}

type ModSocket = Socket<ModerationServerEvents, ModerationClientEvents>;

export function createLive(): Live {
  let handlers: Partial<LiveHandlers> = {};
  let siteId: string | null = null;
  const socket: ModSocket = io('/moderation', { transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
  const stopReconnecting = reconnectWhenOnline(socket);

  const join = () => {
    if (!siteId || !socket.connected) return;
    const joined = siteId;
    socket.emit('queue:join', { siteId: joined }, (ack) => {
      if ('data' in ack && joined === siteId) handlers.onCounts?.(ack.data);
    });
  };
  socket.on('connect', () => {
    handlers.onStatus?.(true);
    join(); // after every reconnect: rooms do not survive one
  });
  socket.on('disconnect', () => handlers.onStatus?.(false));
  socket.on('queue:counts', (p) => p.siteId === siteId && handlers.onCounts?.(p));
  socket.on('queue:added', (p) => p.siteId === siteId && handlers.onAdded?.(p));
  socket.on('queue:removed', (p) => p.siteId === siteId && handlers.onRemoved?.(p));

  return {
    join(next) {
      if (siteId && siteId !== next && socket.connected) socket.emit('queue:leave', { siteId });
      siteId = next;
      join();
    },
    setHandlers(next) {
      handlers = next;
    },
    close() {
      stopReconnecting();
      socket.close();
    },
  };
}
