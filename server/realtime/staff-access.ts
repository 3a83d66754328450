import type { Logger } from 'pino';
import type { DomainEvents, EventBus } from '../events';
import type { ModerationPrincipal } from '../members/moderation-auth';
import type { ModerationNamespace } from './moderation';
import { queueRoom, staffKeyRoom, staffMemberRoom, staffSessionRoom } from './rooms';

type Revocation = DomainEvents['staff.revoked'];

/** Sessions ended elsewhere (a reset from the command line, expiry) are noticed within this. */
export const STAFF_RECHECK_MS = 15_000;

/**
 * A moderator's live feed lasts as long as the access it was opened with. HTTP asks on every
 * request; a socket was authenticated once, so the moment a session ends, a key is revoked or a
 * role is taken away, each instance ends its own sockets opened with it (the instance that saw the
 * change tells the others through the adapter, as reader erasure does). A periodic check catches
 * what no event reports: sessions ended by another process, such as a password reset from the
 * command line, and sessions that expired.
 */
export function followStaffAccess(
  nsp: ModerationNamespace,
  deps: { bus: EventBus; log: Logger },
  clustered: boolean,
  recheckMs = STAFF_RECHECK_MS,
): () => void {
  const endHere = (r: Revocation) => {
    const ended = [...(r.sessionHashes ?? []).map(staffSessionRoom), ...(r.apiKeyId ? [staffKeyRoom(r.apiKeyId)] : [])];
    if (ended.length) nsp.local.in(ended).disconnectSockets(true);
    // A member who keeps other sites keeps the feed, without this site's queues.
    if (r.memberSite) nsp.local.in(staffMemberRoom(r.memberSite.memberId)).socketsLeave(queueRoom(r.memberSite.siteId));
  };
  const onRemote = (r: Revocation) => endHere(r);
  if (clustered) nsp.on('staff:revoked', onRemote);
  const off = deps.bus.on('staff.revoked', (r) => {
    endHere(r);
    if (clustered) nsp.serverSideEmit('staff:revoked', r);
  });

  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    recheck(nsp, deps.log).finally(() => (checking = false));
  }, recheckMs);
  timer.unref();

  return () => {
    off();
    nsp.off('staff:revoked', onRemote);
    clearInterval(timer);
  };
}

async function recheck(nsp: ModerationNamespace, log: Logger): Promise<void> {
  for (const socket of nsp.sockets.values()) {
    const principal = socket.data.principal as ModerationPrincipal | undefined;
    if (!principal?.stillValid) continue;
    try {
      if (!(await principal.stillValid())) socket.disconnect(true);
    } catch (err) {
      // A database outage is not a revocation: the next round asks again.
      log.warn({ err: (err as Error).message }, 'moderation access check failed');
      return;
    }
  }
}
