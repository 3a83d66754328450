import { io, type Socket } from 'socket.io-client';
import type { ParleyOptions } from '../../server/app';
import type { DatabaseHandle } from '../../server/db';
import { startTestParley, type TestParley } from '../helpers/parley';

export type LiveParley = TestParley;

/**
 * startTestParley with the realtime options a test needs (small limits, an authenticator for
 * /moderation) and the option to share another instance's database.
 */
export function startLiveParley(
  options: { env?: Record<string, string>; database?: DatabaseHandle } & Pick<ParleyOptions, 'moderationAuth' | 'realtime'> = {},
): Promise<LiveParley> {
  const { env, ...rest } = options;
  return startTestParley(env, rest);
}

export type RawSocket = Socket;

/** A raw socket.io-client connection (WebSocket only), resolved once connected or refused. */
export function connect(
  url: string,
  options: { token?: string; origin?: string; namespace?: string; auth?: Record<string, unknown>; cookie?: string } = {},
): Promise<{ socket: RawSocket; error?: Error & { data?: { code: string; message: string } } }> {
  const headers: Record<string, string> = {};
  if (options.origin) headers.origin = options.origin;
  if (options.cookie) headers.cookie = options.cookie;
  const socket = io(`${url}${options.namespace ?? ''}`, {
    transports: ['websocket'],
    auth: options.auth ?? (options.token ? { token: options.token } : {}),
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => resolve({ socket, error }));
  });
}

export async function connected(url: string, options: Parameters<typeof connect>[1] = {}): Promise<RawSocket> {
  const { socket, error } = await connect(url, options);
  if (error) throw new Error(`connection refused: ${error.message}`);
  return socket;
}

export function emitAck<T = any>(socket: RawSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

/** Records every event of the given names a socket receives, in arrival order. */
export function record(socket: RawSocket, names: string[]) {
  const events: Array<{ event: string; payload: any }> = [];
  for (const name of names) socket.on(name, (payload: unknown) => events.push({ event: name, payload }));
  return events;
}

/**
 * The recorded thread events numbered after `seq` (a join's ack). The broadcast of a post made
 * before the join may still reach the socket after it; a reader drops what it has by seq, and so
 * does this.
 */
export function eventsAfter<E extends { payload: { seq?: number } }>(events: E[], seq: number): E[] {
  return events.filter((e) => (e.payload.seq ?? 0) > seq);
}

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const THREAD_EVENTS = ['comment:created', 'comment:updated', 'comment:removed', 'thread:updated'];
