import type { EventBus } from '../events';
import type { ReaderNamespace } from './readers';
import { commenterRoom, threadCommenterRoom, threadRoom } from './rooms';
import { outgoingPayload } from './visibility';

/**
 * Turns committed domain events into socket events. The instance that made the change broadcasts;
 * the adapter carries it to every other instance's sockets. A private event (audience set) goes only
 * to that commenter's sockets reading that thread.
 */
export function broadcastThreadEvents(nsp: ReaderNamespace, bus: EventBus, clustered: boolean): () => void {
  // Erasure or revocation: the identity is gone, so are its live connections, on every instance.
  // Each instance tells its own sockets, then disconnects them, in that order on one connection; a
  // cluster-wide broadcast followed by a cluster-wide disconnect could overtake each other.
  const revokeHere = (commenterId: string) => {
    const room = commenterRoom(commenterId);
    nsp.local.to(room).emit('session:revoked');
    nsp.local.in(room).disconnectSockets();
  };
  const onRemoteRevocation = (commenterId: string) => revokeHere(commenterId);
  if (clustered) nsp.on('commenter:revoked', onRemoteRevocation);

  const offs = [
    bus.on('thread.event', (e) => {
      const room = e.audience === null ? threadRoom(e.threadId) : threadCommenterRoom(e.threadId, e.audience);
      const payload = outgoingPayload(e.threadId, e.seq, e.payload, e.audience);
      nsp.to(room).emit(e.event, payload as never);
    }),
    bus.on('commenter.revoked', ({ commenterId }) => {
      revokeHere(commenterId);
      if (clustered) nsp.serverSideEmit('commenter:revoked', commenterId);
    }),
  ];
  return () => {
    offs.forEach((off) => off());
    nsp.off('commenter:revoked', onRemoteRevocation);
  };
}
