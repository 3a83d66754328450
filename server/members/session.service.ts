import crypto from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import type { Member } from '../../db/schema';
import type { Executor } from '../db';
import { hashSecret, newSecret } from '../ids';
import * as repo from './member.repo';
import type { Role } from './member.schema';
import type { StaffActor } from './permissions';

export const SESSION_COOKIE = 'parley_session';
const SESSION_PREFIX = 'ms';
/** A session ends after a day without use, and after two weeks whatever happens. */
export const SESSION_IDLE_MS = 24 * 3600_000;
export const SESSION_MAX_MS = 14 * 24 * 3600_000;
/** last_seen_at is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 5 * 60_000;

export interface MemberSession {
  member: Member;
  roles: Array<{ siteId: string; siteName: string; role: Role }>;
  tokenHash: string;
}

/** A new session: the token goes to the member's cookie, only its hash to the database. */
export async function createSession(db: Executor, memberId: string): Promise<{ token: string; expiresAt: Date }> {
  await repo.deleteExpiredSessions(db, SESSION_IDLE_MS);
  const token = newSecret(SESSION_PREFIX);
  const expiresAt = new Date(Date.now() + SESSION_MAX_MS);
  await repo.insertSession(db, { tokenHash: hashSecret(token), memberId, expiresAt });
  return { token, expiresAt };
}

/**
 * The member behind a session token (the cookie's value), with their roles; null when the token is
 * unknown, expired or idle too long. Exported for the realtime layer's /moderation handshake.
 */
export async function authenticateSession(db: Executor, token: string | null | undefined): Promise<MemberSession | null> {
  if (!token || !token.startsWith(`${SESSION_PREFIX}_`) || token.length > 100) return null;
  const tokenHash = hashSecret(token);
  const row = await repo.findSession(db, tokenHash);
  if (!row) return null;
  const now = Date.now();
  if (row.expires_at.getTime() <= now || row.last_seen_at.getTime() + SESSION_IDLE_MS <= now) {
    await repo.deleteSession(db, tokenHash);
    return null;
  }
  if (now - row.last_seen_at.getTime() > TOUCH_EVERY_MS) await repo.touchSession(db, tokenHash);
  const { token_hash: _h, last_seen_at: _l, expires_at: _e, session_created_at: _c, ...member } = row;
  const roles = (await repo.rolesOf(db, member.id)).map((r) => ({ siteId: r.site_id, siteName: r.name, role: r.role }));
  return { member, roles, tokenHash };
}

/** The session token in a Cookie header (HTTP requests and socket handshakes alike). */
export function sessionTokenFromCookieHeader(header: string | undefined | null): string | null {
  if (!header) return null;
  try {
    return parseCookie(header)[SESSION_COOKIE] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether a session still stands, without counting as use: an open live feed must not keep an
 * unattended session from idling out.
 */
export async function sessionStillValid(db: Executor, tokenHash: string): Promise<boolean> {
  const row = await repo.findSession(db, tokenHash);
  const now = Date.now();
  return !!row && row.expires_at.getTime() > now && row.last_seen_at.getTime() + SESSION_IDLE_MS > now;
}

/** Convenience for the realtime layer: a Cookie header straight to the member, or null. */
export async function authenticateSessionCookie(db: Executor, cookieHeader: string | undefined | null): Promise<MemberSession | null> {
  return authenticateSession(db, sessionTokenFromCookieHeader(cookieHeader));
}

/**
 * The CSRF token of a session, derived from its token rather than stored: whoever can read it
 * (the dashboard, from /auth/me) already holds the session; a page on another origin cannot
 * read it and so cannot forge a write.
 */
export function csrfTokenFor(sessionToken: string): string {
  return crypto.createHash('sha256').update(`parley-csrf\0${sessionToken}`).digest('base64url');
}

export function csrfMatches(sessionToken: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(presented);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** Ends the session; returns its token's hash, by which its live feeds are found. */
export async function endSession(db: Executor, token: string): Promise<string> {
  const tokenHash = hashSecret(token);
  await repo.deleteSession(db, tokenHash);
  return tokenHash;
}

export function memberActor(session: MemberSession): StaffActor {
  return {
    kind: 'member',
    id: session.member.id,
    name: session.member.name,
    email: session.member.email,
    roles: new Map(session.roles.map((r) => [r.siteId, r.role])),
  };
}
