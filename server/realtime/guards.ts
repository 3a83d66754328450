import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Socket } from 'socket.io';
import type { OriginCache } from '../sites/site.service';
import { ackOf } from './acks';

/**
 * The handshake's first gate, before any namespace: a browser page may open a live connection only
 * from Parley's own origin or an origin some site allows (each join then checks the thread's own
 * site). Browsers always send Origin on a WebSocket; a client without one is not a browser page, so
 * there is no user's ambient authority for it to abuse, and it is let through like any HTTP client.
 * While draining, new connections go to another instance.
 */
export function originGate(origins: OriginCache, draining: () => boolean) {
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    if (draining()) return callback('draining', false);
    const origin = req.headers.origin;
    if (!origin) return callback(null, true);
    origins.isAllowed(origin).then(
      (ok) => callback(ok ? null : 'origin_not_allowed', ok),
      () => callback('unavailable', false),
    );
  };
}

export interface EventLimits {
  /** Events a socket may send per window before its events are refused with `rate_limited`. */
  events: number;
  windowMs: number;
  /** Past this many in one window the socket is flooding: it is disconnected. */
  cutOffAt: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = { events: 20, windowMs: 10_000, cutOffAt: 60 };

/**
 * Per-socket event limits. A reader sends a handful of events per connection (join, leave, re-join
 * after a reconnect); a socket far past that is a bug or an attack, and only it is cut off.
 */
export function createEventLimiter(limits: EventLimits, log: Logger, enabled: boolean) {
  const limiter = new RateLimiterMemory({ points: limits.events, duration: Math.ceil(limits.windowMs / 1000) });
  return function guard(socket: Socket): void {
    if (!enabled) return;
    socket.use((packet, next) => {
      limiter.consume(socket.id).then(
        () => next(),
        (rejection: unknown) => {
          if (!(rejection instanceof RateLimiterRes)) return next();
          if (rejection.consumedPoints > limits.cutOffAt) {
            if (socket.connected) {
              log.warn({ socket: socket.id, events: rejection.consumedPoints }, 'socket flooding: disconnected');
              socket.disconnect(true);
            }
            return;
          }
          const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          ackOf(packet.slice(1))?.({
            error: { code: 'rate_limited', message: `Too many requests on this connection. Try again in ${retryAfter} s.` },
          });
        },
      );
    });
    socket.on('disconnect', () => {
      void limiter.delete(socket.id);
    });
  };
}
