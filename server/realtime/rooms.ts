/**
 * Room names. A room name is not a secret: every join is authorised in its handler, and private
 * events go to a room only the owner's own sockets are put in.
 */
export const MODERATION_NAMESPACE = '/moderation';

/** Everyone reading a thread: events with audience null. */
export const threadRoom = (threadId: string) => `thread:${threadId}`;
/** One commenter's sockets reading one thread: their own pending comment's events. */
export const threadCommenterRoom = (threadId: string, commenterId: string) => `thread:${threadId}:commenter:${commenterId}`;
/** Every socket of one commenter, whatever it reads: revocation disconnects it. */
export const commenterRoom = (commenterId: string) => `commenter:${commenterId}`;
/** Every /moderation socket opened with one session, one API key, or by one member: revocation ends them. */
export const staffSessionRoom = (tokenHash: string) => `staff:session:${tokenHash}`;
export const staffKeyRoom = (keyId: string) => `staff:key:${keyId}`;
export const staffMemberRoom = (memberId: string) => `staff:member:${memberId}`;
/** Moderators watching one site's queues (in the /moderation namespace). */
export const queueRoom = (siteId: string) => `queue:${siteId}`;

export function isThreadRoom(room: string): boolean {
  return room.startsWith('thread:') && !room.includes(':commenter:');
}

export function staffRoomsOf(who: { memberId: string | null; sessionHash?: string | null; apiKeyId?: string | null }): string[] {
  return [
    ...(who.memberId ? [staffMemberRoom(who.memberId)] : []),
    ...(who.sessionHash ? [staffSessionRoom(who.sessionHash)] : []),
    ...(who.apiKeyId ? [staffKeyRoom(who.apiKeyId)] : []),
  ];
}
