import type { Namespace, Socket } from 'socket.io';
import type { ThreadChange } from '../threads/thread.events';
import type { ReaderClientEvents, ReaderServerEvents } from './contract';

/**
 * The readers' namespace and its sockets, typed apart from readers.ts (which serves them) so that
 * delivery and the broadcasts, which readers.ts uses, can name them. What a reader's socket keeps:
 */
export interface ReaderData {
  commenterId: string | null;
}

/** Between instances (through the adapter), never seen by clients. */
export interface ReaderInterServerEvents {
  'commenter:revoked': (commenterId: string) => void;
  /** A change committed through another instance (delivery.ts checks it against the log). */
  'thread:change': (change: ThreadChange) => void;
}

export type ReaderNamespace = Namespace<ReaderClientEvents, ReaderServerEvents, ReaderInterServerEvents, ReaderData>;
export type ReaderSocket = Socket<ReaderClientEvents, ReaderServerEvents, ReaderInterServerEvents, ReaderData>;
