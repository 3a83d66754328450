import { errors } from '../errors';
import type { Role } from './member.schema';

/**
 * Who is acting on the moderation and administration API: a signed-in member (with their roles,
 * read once per request) or a site API key. Services take this, never an HTTP request.
 */
export type StaffActor =
  | { kind: 'member'; id: string; name: string; email: string; roles: ReadonlyMap<string, Role> }
  | { kind: 'key'; id: string; siteId: string; name: string };

export type Ability = 'view_site' | 'post' | 'moderate' | 'administer';

/**
 * Journalists answer readers with a badge but do not moderate. An API key is a server acting for
 * its own site: it moderates and posts (on behalf of a member), but cannot mint more keys, add
 * members or change settings, so a leaked key never escalates.
 */
export const ROLE_ABILITIES: Record<Role, readonly Ability[]> = {
  admin: ['view_site', 'post', 'moderate', 'administer'],
  moderator: ['view_site', 'post', 'moderate'],
  journalist: ['view_site', 'post'],
};
const KEY_ABILITIES: readonly Ability[] = ['view_site', 'post', 'moderate'];

/** The actor's abilities on a site; null when the actor has nothing to do with it. */
export function abilitiesOn(actor: StaffActor, siteId: string): readonly Ability[] | null {
  if (actor.kind === 'key') return actor.siteId === siteId ? KEY_ABILITIES : null;
  const role = actor.roles.get(siteId);
  return role ? ROLE_ABILITIES[role] : null;
}

export function can(actor: StaffActor, siteId: string, ability: Ability): boolean {
  return abilitiesOn(actor, siteId)?.includes(ability) ?? false;
}

/**
 * Throws unless the actor may do this on the site. Without any role there the object "does not
 * exist" (404): a 403 would confirm to an outsider that another site's comment or ban is real.
 */
export function authorize(actor: StaffActor, siteId: string, ability: Ability, what = 'The site'): void {
  const abilities = abilitiesOn(actor, siteId);
  if (!abilities) throw errors.notFound(what);
  if (!abilities.includes(ability)) {
    throw errors.forbidden('forbidden', 'Your role on this site does not allow that.');
  }
}

/** Who did it, as the moderation log records it. */
export function actorRef(actor: StaffActor): { type: 'member' | 'key'; id: string; name: string } {
  return actor.kind === 'member' ? { type: 'member', id: actor.id, name: actor.name } : { type: 'key', id: actor.id, name: actor.name };
}
