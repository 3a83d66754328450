import type { EventBus } from '../events';
import type { ReaderNamespace } from './readers';
import { commenterRoom, threadCommenterRoom, threadRoom } from './rooms';
import { outgoingPayload } from './visibility';

/**
 * Turns committed domain events into socket events. The instance that made the change broadcasts;
 * the adapter carries it to every other instance's sockets. A private event (audience set) goes only
 * to that commenter's sockets reading that thread.
 */
export function broadcastThreadEvents(nsp: ReaderNamespace, bus: EventBus): () => void {
  const offs = [
    bus.on('thread.event', (e) => {
      const room = e.audience === null ? threadRoom(e.threadId) : threadCommenterRoom(e.threadId, e.audience);
      const payload = outgoingPayload(e.threadId, e.seq, e.payload, e.audience);
      nsp.to(room).emit(e.event, payload as never);
    }),
    // Erasure or revocation: the identity is gone, so are its live connections, on every instance.
    bus.on('commenter.revoked', ({ commenterId }) => {
      const room = commenterRoom(commenterId);
      nsp.to(room).emit('session:revoked');
      nsp.in(room).disconnectSockets();
    }),
  ];
  return () => offs.forEach((off) => off());
}
