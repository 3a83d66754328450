import type { Logger } from 'pino';
import { toAppError } from '../errors';
import type { AckError } from './contract';

/** The socket side of the error contract: the same codes and messages as HTTP, never a stack. */
export function ackError(err: unknown, log: Logger): { error: AckError } {
  const e = toAppError(err);
  if (e.kind === 'internal') log.error({ err }, 'socket handler failed');
  const error: AckError = { code: e.code, message: e.message };
  if (e.details.length) error.details = e.details.map((d) => ({ path: d.path, message: d.message }));
  return { error };
}

/** The last argument of a socket event, when the client asked for an acknowledgement. */
export function ackOf(args: unknown[]): ((result: unknown) => void) | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as (result: unknown) => void) : undefined;
}

/** A refused handshake: the client sees `err.message` (the code) and `err.data` in `connect_error`. */
export function connectError(code: string, message: string): Error {
  return Object.assign(new Error(code), { data: { code, message } });
}
