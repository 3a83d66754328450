import type { Member } from '../../db/schema';
import { type Db, inTransaction } from '../db';
import { AppError, errors } from '../errors';
import type { EventBus } from '../events';
import { newId } from '../ids';
import { writeLog } from '../audit/audit.repo';
import { findSite } from '../sites/site.repo';
import type { LoginThrottle } from './login-throttle';
import * as repo from './member.repo';
import { MemberEmailSchema, type Role } from './member.schema';
import { checkPassword, generatePassword, hashPassword } from './password';
import { authorize, ROLE_ABILITIES, type StaffActor } from './permissions';
import { issuePasswordLink, NO_PASSWORD_YET, type PasswordLink } from './password-link.service';
import { createSession, type MemberSession } from './session.service';

interface MemberDeps {
  db: Db;
  bus: EventBus;
}

export const FIRST_ADMIN_EMAIL = 'admin@localhost';

function defaultName(email: string): string {
  return email.split('@')[0]!.slice(0, 80) || email;
}

/** A new account; when no password is given one is generated and returned (to show once). */
export async function createMember(
  db: Db,
  input: { email: string; name?: string; password?: string },
): Promise<{ member: Member; password: string | undefined }> {
  const email = MemberEmailSchema.parse(input.email);
  const password = input.password ?? generatePassword();
  const member = await repo.insertMember(db, {
    id: newId(),
    email,
    name: input.name ?? defaultName(email),
    passwordHash: await hashPassword(password),
  });
  if (!member) throw errors.conflict('member_exists', `A member with the email ${email} already exists.`);
  return { member, password: input.password ? undefined : password };
}

/** Sets a new password (generated unless given) and signs the member out everywhere. */
export async function resetPassword(db: Db, emailInput: string, given?: string): Promise<{ member: Member; password: string }> {
  // Run from the command line, in another process: the server's periodic check ends live feeds.
  const email = MemberEmailSchema.parse(emailInput);
  const member = await repo.findMemberByEmail(db, email);
  if (!member) throw errors.notFound('The member');
  const password = given ?? generatePassword();
  await repo.setPassword(db, member.id, await hashPassword(password));
  await repo.deleteSessionsOf(db, member.id);
  return { member, password };
}

/**
 * Signs in. Unknown accounts and wrong passwords get the same answer in the same time (a dummy
 * hash is checked), and both count against the throttle, so nobody learns which emails exist.
 */
export async function login(
  deps: { db: Db; throttle: LoginThrottle },
  input: { email: string; password: string; networkHash: string | null },
): Promise<{ token: string; expiresAt: Date; member: Member }> {
  const email = input.email.trim().toLowerCase();
  await deps.throttle.attempt(email, input.networkHash);
  const member = email.length <= 254 ? await repo.findMemberByEmail(deps.db, email) : undefined;
  const ok = await checkPassword(member?.password_hash, input.password);
  if (!member || !ok) {
    throw new AppError('unauthenticated', 'invalid_credentials', 'The email or password is not right.');
  }
  await deps.throttle.succeeded(email);
  const { token, expiresAt } = await createSession(deps.db, member.id);
  return { token, expiresAt, member };
}

export async function changePassword(
  deps: MemberDeps,
  session: MemberSession,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  if (!(await checkPassword(session.member.password_hash, input.currentPassword))) {
    throw errors.forbidden('invalid_credentials', 'The current password is not right.');
  }
  await repo.setPassword(deps.db, session.member.id, await hashPassword(input.newPassword));
  // Every other session ends, live feeds included: a changed password must lock out whoever else knew the old one.
  const ended = await repo.deleteSessionsOf(deps.db, session.member.id, session.tokenHash);
  if (ended.length) deps.bus.emit('staff.revoked', { sessionHashes: ended });
}

/**
 * The first start: when no member exists at all, an admin of the given site with a random
 * password, returned once for the operator to read. Concurrent first starts create one account.
 */
export async function ensureFirstAdmin(db: Db, siteId: string): Promise<{ email: string; password: string } | null> {
  if ((await repo.countMembers(db)) > 0) return null;
  const password = generatePassword();
  const member = await repo.insertMember(db, {
    id: newId(),
    email: FIRST_ADMIN_EMAIL,
    name: 'Admin',
    passwordHash: await hashPassword(password),
  });
  if (!member) return null;
  if (await findSite(db, siteId)) await repo.upsertRole(db, siteId, member.id, 'admin');
  return { email: member.email, password };
}

export function memberView(m: Member) {
  return { id: m.id, email: m.email, name: m.name, createdAt: m.created_at.toISOString() };
}

export function sessionView(session: MemberSession, csrfToken: string) {
  return {
    member: memberView(session.member),
    sites: session.roles.map((r) => ({ id: r.siteId, name: r.siteName, role: r.role })),
    csrfToken,
  };
}

// --- a site's members, managed by its admins ---

export async function listSiteMembers(deps: MemberDeps, actor: StaffActor, siteId: string) {
  authorize(actor, siteId, 'administer');
  const rows = await repo.siteMembers(deps.db, siteId);
  return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, role: r.role, since: r.created_at.toISOString() }));
}

/**
 * Gives a person a role on the site: an existing account gets (or changes) its role; a new one is
 * created without a password. Either way the answer carries a one-time set-password link (see
 * password-link.service.ts), so it never tells whether the email had an account. The last admin
 * cannot demote themselves.
 */
export async function addSiteMember(
  deps: MemberDeps,
  actor: StaffActor,
  siteId: string,
  input: { email: string; role: Role; name?: string },
): Promise<{ member: Member; role: Role; link: PasswordLink }> {
  authorize(actor, siteId, 'administer');
  const email = MemberEmailSchema.parse(input.email);
  let member = await repo.findMemberByEmail(deps.db, email);
  const created = member
    ? undefined
    : await repo.insertMember(deps.db, { id: newId(), email, name: input.name ?? defaultName(email), passwordHash: NO_PASSWORD_YET });
  member = created ?? member ?? (await repo.findMemberByEmail(deps.db, email));
  if (!member) throw errors.unavailable();
  const target = member;
  await inTransaction(deps, async ({ trx, emit }) => {
    const admins = await repo.lockSiteAdmins(trx, siteId);
    if (input.role !== 'admin' && admins.length === 1 && admins[0] === target.id) {
      throw errors.conflict('last_admin', 'A site needs at least one admin: make someone else admin first.');
    }
    const before = await repo.roleOn(trx, target.id, siteId);
    await repo.upsertRole(trx, siteId, target.id, input.role);
    if (before && ROLE_ABILITIES[before].includes('moderate') && !ROLE_ABILITIES[input.role].includes('moderate')) {
      emit('staff.revoked', { memberSite: { memberId: target.id, siteId } });
    }
    await writeLog(trx, {
      siteId,
      actor,
      action: before ? 'member.role_change' : 'member.add',
      targetType: 'member',
      targetId: target.id,
      from: before,
      to: input.role,
      details: { email: target.email },
    });
  });
  return { member: target, role: input.role, link: await issuePasswordLink(deps.db, created?.id ?? null) };
}

export async function removeSiteMember(deps: MemberDeps, actor: StaffActor, siteId: string, memberId: string): Promise<void> {
  authorize(actor, siteId, 'administer');
  await inTransaction(deps, async ({ trx, emit }) => {
    const admins = await repo.lockSiteAdmins(trx, siteId);
    const role = await repo.roleOn(trx, memberId, siteId);
    if (!role) throw errors.notFound('The member');
    if (role === 'admin' && admins.length === 1) {
      throw errors.conflict('last_admin', 'A site needs at least one admin: make someone else admin first.');
    }
    await repo.removeRole(trx, siteId, memberId);
    emit('staff.revoked', { memberSite: { memberId, siteId } });
    await writeLog(trx, { siteId, actor, action: 'member.remove', targetType: 'member', targetId: memberId, from: role });
  });
}
