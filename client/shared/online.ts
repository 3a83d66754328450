import type { Socket } from 'socket.io-client';

/**
 * Reconnects a socket the moment the browser is back online, rather than at the end of its backoff
 * — or after the connect timeout of a handshake that began just as the network went, which can
 * hang for 20 seconds. A socket closed on purpose (by the page, or refused by the server) is left
 * alone. Returns what stops it.
 */
export function reconnectWhenOnline(socket: Socket<any, any>): () => void {
  if (typeof window === 'undefined') return () => {};
  const now = () => {
    if (socket.connected || !socket.active) return;
    socket.disconnect();
    socket.connect();
  };
  window.addEventListener('online', now);
  return () => window.removeEventListener('online', now);
}
