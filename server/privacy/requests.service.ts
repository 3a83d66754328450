import type { Logger } from 'pino';
import type { PrivacyRequest } from '../../db/schema';
import { type Db, inTransaction, type Tx } from '../db';
import type { StaffActor } from '../members/permissions';
import { writeLog } from '../audit/audit.repo';
import { AppError, errors } from '../errors';
import type { EventBus } from '../events';
import { hashSecret, newId, newSecret } from '../ids';
import { getSite, type SiteWithSettings } from '../sites/site.service';
import { type ErasureReport, eraseCommenter } from './erase.service';
import { EXPORT_FORMAT, exportCommenter } from './export.service';
import type { Mailer } from '../mail/mailer';
import { ensureAddress } from '../mail/mail.repo';
import { unsubscribeLinks } from '../mail/subscription.service';
import type { Outbox } from '../outbox/outbox';
import type { CreateRequestInput } from './privacy.schema';
import * as repo from './requests.repo';
import { linkMail } from './requests.texts';
import { isoOrNull } from '../clock';

export interface RequestDeps {
  db: Db;
  bus: EventBus;
  log: Logger;
  mailer: Mailer | null;
  publicUrl: string;
  outbox: Outbox;
}

export const LINK_TTL_MS = 24 * 60 * 60_000;
/** A second ask for the same link within this time sends nothing: one mail, not a mailbomb. */
export const RESEND_AFTER_MS = 5 * 60_000;
export const LINK_PATH = '/api/v1/privacy/link';

/**
 * A lost-token request. The answer never depends on whether the address is known (no one learns who
 * comments here): with a mail transport, a known address gets a one-time link by mail, sent after the
 * answer so the timing says nothing either; without one, the request waits for the site's admins.
 * An unknown address gets nothing stored and nothing sent.
 */
export async function createPrivacyRequest(deps: RequestDeps, input: CreateRequestInput, now = new Date()): Promise<{ delivery: 'mail' | 'admin' }> {
  const site = await getSite(deps.db, input.site);
  const delivery = deps.mailer ? 'mail' : 'admin';
  const email = input.email.trim();
  const identities = await repo.commentersByEmail(deps.db, site.id, email);
  if (identities.length === 0) return { delivery };

  const existing = await repo.findPending(deps.db, site.id, email, input.kind);
  if (!deps.mailer) {
    if (!existing) await repo.insertRequest(deps.db, { id: newId(), siteId: site.id, kind: input.kind, channel: 'admin', email });
    return { delivery };
  }
  if (existing?.channel === 'mail' && now.getTime() - existing.created_at.getTime() < RESEND_AFTER_MS) return { delivery };

  // A new link replaces any earlier one for the same address and kind: only the latest mail works.
  const token = newSecret('pl');
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
  const link = `${deps.publicUrl}${LINK_PATH}?token=${token}`;
  // The mail is an outbox row of the same transaction: sent after the answer (its timing says
  // nothing), retried if the mail server is down, and never lost to a restart.
  await inTransaction(deps, async (uow) => {
    const { trx } = uow;
    if (existing) await trx.deleteFrom('privacy_requests').where('id', '=', existing.id).execute();
    await repo.insertRequest(trx, { id: newId(), siteId: site.id, kind: input.kind, channel: 'mail', email, tokenHash: hashSecret(token), expiresAt });
    const address = await ensureAddress(trx, { siteId: site.id, email, commenterId: identities[0]!, lang: site.settings.locale, now });
    const message = linkMail(site.settings.locale, input.kind, site.name, email, link, expiresAt);
    await deps.outbox.enqueue(uow, {
      kind: 'mail',
      siteId: site.id,
      commenterId: identities[0]!,
      payload: { ...message, unsubscribe: unsubscribeLinks(deps, address, 's', null) },
    });
  });
  return { delivery };
}

/** The pending request behind a mailed link, or 410 when it was used, replaced or has expired. */
export async function findLinkRequest(deps: { db: Db }, token: string, now = new Date()): Promise<{ request: PrivacyRequest; site: SiteWithSettings }> {
  const request = await repo.findByTokenHash(deps.db, hashSecret(token));
  if (!request || request.status !== 'pending' || !request.expires_at || request.expires_at <= now) throw linkGone();
  return { request, site: await getSite(deps.db, request.site_id) };
}

function linkGone(): AppError {
  return new AppError('gone', 'link_expired', 'This link has expired or was already used. You can ask for a new one.');
}

export type Outcome =
  | { kind: 'export'; request: PrivacyRequest; document: Record<string, unknown> }
  | { kind: 'erase'; request: PrivacyRequest; erasure: ErasureReport[] };

/**
 * Carries out a pending request, for this site's records of every identity that used the address:
 * the export document, or the erasure. The request then forgets the address and the link, keeping
 * only that it was done, by whom (`link` or a member id), when, and counts.
 */
async function carryOut(
  deps: RequestDeps,
  requestId: string,
  by: string,
  check: (r: PrivacyRequest) => void,
  now: Date,
  record?: (trx: Tx, done: PrivacyRequest) => Promise<void>,
): Promise<Outcome> {
  return inTransaction(deps, async (uow) => {
    const request = await repo.lockRequest(uow.trx, requestId);
    if (!request) throw errors.notFound('The privacy request');
    check(request);
    const identities = await repo.commentersByEmail(uow.trx, request.site_id, request.email ?? '');
    // The address has served its purpose: forget it before the work, so an erasure that removes the
    // last identity with it (and with it any pending request naming it) keeps this row as the record.
    await repo.forgetEmail(uow.trx, request.id);
    if (request.kind === 'export') {
      const documents = [];
      for (const id of identities) documents.push(await exportCommenter(uow.trx, id, { siteId: request.site_id }, now));
      const done = await repo.markDone(uow.trx, request.id, by, {
        identities: identities.length,
        comments: documents.reduce((n, d) => n + (d.comments as unknown[]).length, 0),
      });
      await record?.(uow.trx, done);
      const document = { format: EXPORT_FORMAT, generatedAt: now.toISOString(), siteId: request.site_id, identities: documents };
      return { kind: 'export', request: done, document };
    }
    const erasure: ErasureReport[] = [];
    for (const id of identities) erasure.push(await eraseCommenter(deps, id, { siteId: request.site_id }, uow));
    const done = await repo.markDone(uow.trx, request.id, by, {
      identities: identities.length,
      comments: erasure.reduce((n, r) => n + r.comments, 0),
      reactions: erasure.reduce((n, r) => n + r.reactions, 0),
      flags: erasure.reduce((n, r) => n + r.flags, 0),
    });
    await record?.(uow.trx, done);
    return { kind: 'erase', request: done, erasure };
  });
}

/** The requester pressed the button behind the mailed link. */
export async function carryOutLink(deps: RequestDeps, token: string, now = new Date()): Promise<Outcome> {
  const { request } = await findLinkRequest(deps, token, now);
  return carryOut(deps, request.id, 'link', (r) => {
    if (r.status !== 'pending' || r.token_hash !== hashSecret(token) || !r.expires_at || r.expires_at <= now) throw linkGone();
  }, now);
}

export function requestView(r: PrivacyRequest, identities?: number) {
  return {
    id: r.id,
    siteId: r.site_id,
    kind: r.kind,
    channel: r.channel,
    status: r.status,
    email: r.email,
    createdAt: r.created_at.toISOString(),
    expiresAt: isoOrNull(r.expires_at),
    completedAt: isoOrNull(r.completed_at),
    completedBy: r.completed_by,
    outcome: r.outcome,
    ...(identities !== undefined ? { identities } : {}),
  };
}

/** The site's pending requests for its admins, with how many identities each address matches now. */
export async function listPendingRequests(deps: { db: Db }, siteId: string) {
  const rows = await repo.listPending(deps.db, siteId);
  const items = [];
  for (const r of rows) items.push(requestView(r, (await repo.commentersByEmail(deps.db, siteId, r.email ?? '')).length));
  return items;
}

/**
 * An admin's one click: carries out a pending request of their site (member auth is the caller's
 * job). With the acting member given, the audit log records that it was done, by whom and the counts:
 * never the address nor the data.
 */
export async function completeRequest(
  deps: RequestDeps,
  actor: { siteId: string; memberId: string; staff?: StaffActor },
  requestId: string,
  now = new Date(),
): Promise<Outcome> {
  const record = actor.staff
    ? (trx: Tx, done: PrivacyRequest) =>
        writeLog(trx, {
          siteId: done.site_id,
          actor: actor.staff,
          action: `privacy_${done.kind}`,
          targetType: 'privacy_request',
          targetId: done.id,
          details: { ...(done.outcome ?? {}) },
        })
    : undefined;
  return carryOut(deps, requestId, actor.memberId, (r) => {
    if (r.site_id !== actor.siteId) throw errors.notFound('The privacy request');
    if (r.status !== 'pending') throw errors.conflict('request_done', 'This request was already carried out.');
  }, now, record);
}
