import type { Db } from '../db';
import type { ModerationAuthenticator } from '../realtime/moderation';
import { authenticateApiKey } from './apikey.service';
import { can } from './permissions';
import { authenticateSessionCookie, memberActor } from './session.service';

/**
 * Recognises staff on the /moderation live stream: a site API key in the handshake's `auth.apiKey`,
 * or a member's session cookie. Every queue:join asks again, so a role removed or a key revoked
 * stops further joins at once.
 */
export function moderationAuthenticator(db: Db): ModerationAuthenticator {
  return async ({ headers, auth }) => {
    const apiKey = typeof auth.apiKey === 'string' ? auth.apiKey : null;
    if (apiKey) {
      const key = await authenticateApiKey(db, apiKey);
      if (!key) return null;
      return {
        memberId: null,
        apiKeySiteId: key.siteId,
        canModerate: async (siteId) => {
          const fresh = await authenticateApiKey(db, apiKey);
          return !!fresh && can(fresh, siteId, 'moderate');
        },
      };
    }
    const session = await authenticateSessionCookie(db, headers.cookie);
    if (!session) return null;
    return {
      memberId: session.member.id,
      apiKeySiteId: null,
      canModerate: async (siteId) => {
        const fresh = await authenticateSessionCookie(db, headers.cookie);
        return !!fresh && can(memberActor(fresh), siteId, 'moderate');
      },
    };
  };
}
