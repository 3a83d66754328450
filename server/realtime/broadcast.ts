import type { EventBus } from '../events';
import type { Delivery } from './delivery';
import type { ReaderNamespace } from './reader-socket';
import { commenterRoom } from './rooms';

/**
 * Turns committed domain events into socket events. The instance that made a change hands it to its
 * own delivery and, clustered, to every other instance's through the adapter; each delivers it to
 * its own sockets in seq order, checked against the replay log (delivery.ts).
 */
export function broadcastThreadEvents(nsp: ReaderNamespace, bus: EventBus, delivery: Delivery, clustered: boolean): () => void {
  // Erasure or revocation: the identity is gone, so are its live connections, on every instance.
  // Each instance tells its own sockets, then disconnects them, in that order on one connection; a
  // cluster-wide broadcast followed by a cluster-wide disconnect could overtake each other.
  const revokeHere = (commenterId: string) => {
    const room = commenterRoom(commenterId);
    nsp.local.to(room).emit('session:revoked');
    nsp.local.in(room).disconnectSockets();
  };
  const onRemoteRevocation = (commenterId: string) => revokeHere(commenterId);
  const onRemoteChange = delivery.accept;
  if (clustered) {
    nsp.on('commenter:revoked', onRemoteRevocation);
    nsp.on('thread:change', onRemoteChange);
  }

  const offs = [
    bus.on('thread.event', (change) => {
      delivery.accept(change);
      if (clustered) nsp.serverSideEmit('thread:change', change);
    }),
    bus.on('commenter.revoked', ({ commenterId }) => {
      revokeHere(commenterId);
      if (clustered) nsp.serverSideEmit('commenter:revoked', commenterId);
    }),
  ];
  return () => {
    offs.forEach((off) => off());
    nsp.off('commenter:revoked', onRemoteRevocation);
    nsp.off('thread:change', onRemoteChange);
  };
}
