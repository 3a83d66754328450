import type { Db, Executor } from '../db';
import { AppError } from '../errors';
import { hashSecret, newSecret } from '../ids';
import * as repo from './member.repo';
import { hashPassword } from './password';

/** How long a set-password link works. */
export const PASSWORD_LINK_DAYS = 7;
/** The stored hash of an account that has no password yet: never matches any password. */
export const NO_PASSWORD_YET = '!invited-without-password';

export interface PasswordLink {
  token: string;
  expiresAt: Date;
}

/**
 * A one-time link for the admin to pass on. Only a new account's link is stored and works: an
 * existing account keeps its password (anyone with a link to it could otherwise take it over),
 * and its link looks the same, so the answer never tells an admin whether the email had an
 * account. Someone who already has one signs in with it.
 */
export async function issuePasswordLink(db: Executor, newMemberId: string | null): Promise<PasswordLink> {
  const token = newSecret('pl');
  const expiresAt = new Date(Date.now() + PASSWORD_LINK_DAYS * 24 * 3600_000);
  if (newMemberId) await repo.insertPasswordLink(db, { tokenHash: hashSecret(token), memberId: newMemberId, expiresAt });
  return { token, expiresAt };
}

/** Sets the first password through a link, which is then used up. */
export async function setPasswordWithLink(db: Db, input: { token: string; password: string }): Promise<void> {
  const memberId = await repo.takePasswordLink(db, hashSecret(input.token), new Date());
  if (!memberId) {
    throw new AppError(
      'gone',
      'link_expired',
      'This link has expired or has already been used. If you already have an account, sign in; otherwise ask the site’s admin for a new link.',
    );
  }
  await repo.setPassword(db, memberId, await hashPassword(input.password));
}
