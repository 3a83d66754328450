/**
 * What other layers (the realtime /moderation namespace, say) use to recognise staff: plain
 * functions over the database, no HTTP.
 *
 *   const session = await authenticateSessionCookie(db, handshake.headers.cookie);
 *   const actor = session ? memberActor(session) : await authenticateApiKey(db, handshake.auth.token);
 *   if (actor && can(actor, siteId, 'moderate')) …
 */
export { authenticateApiKey } from './apikey.service';
export { roleOn as roleOf } from './member.repo';
export type { Role } from './member.schema';
export { abilitiesOn, authorize, can, type Ability, type StaffActor } from './permissions';
export {
  authenticateSession,
  authenticateSessionCookie,
  memberActor,
  SESSION_COOKIE,
  sessionTokenFromCookieHeader,
  type MemberSession,
} from './session.service';
