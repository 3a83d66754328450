import type { IncomingHttpHeaders } from 'node:http';
import type { Db } from '../db';
import { apiKeyStillValid, authenticateApiKey } from './apikey.service';
import { can } from './permissions';
import { authenticateSessionCookie, memberActor, sessionStillValid } from './session.service';

/** Who is connected to /moderation: a member (session cookie) or a site API key. */
export interface ModerationPrincipal {
  memberId: string | null;
  apiKeySiteId: string | null;
  /** The session (its token's hash) or key the socket was opened with: revoking it ends the socket. */
  sessionHash?: string | null;
  apiKeyId?: string | null;
  /** Whether the session or key is still valid at all (a periodic check; reset from the command line). */
  stillValid?(): Promise<boolean>;
  /** Asked on every queue:join: roles change, and a key belongs to one site. */
  canModerate(siteId: string): Promise<boolean>;
}

/** What the handshake offers: the Cookie header (sessions) and `auth` (`{apiKey}`), as sent. */
export interface ModerationHandshake {
  headers: IncomingHttpHeaders;
  auth: Record<string, unknown>;
}

/**
 * Resolves a handshake to a principal, or null when it carries no valid session or key. The realtime
 * layer is handed one (deps.moderationAuth); without one, /moderation refuses every connection.
 */
export type ModerationAuthenticator = (handshake: ModerationHandshake) => Promise<ModerationPrincipal | null>;

/**
 * Recognises staff on the /moderation live stream: a site API key in the handshake's `auth.apiKey`,
 * or a member's session cookie. Every queue:join asks again, so a role removed or a key revoked
 * stops further joins at once; the session or key is named so that ending it ends the socket.
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
        apiKeyId: key.id,
        stillValid: () => apiKeyStillValid(db, key.id),
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
      sessionHash: session.tokenHash,
      stillValid: () => sessionStillValid(db, session.tokenHash),
      canModerate: async (siteId) => {
        const fresh = await authenticateSessionCookie(db, headers.cookie);
        return !!fresh && can(memberActor(fresh), siteId, 'moderate');
      },
    };
  };
}
