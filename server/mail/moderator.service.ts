import { sql } from 'kysely';
import type { MailModeratorPrefs } from '../../db/schema';
import { inTransaction, type Tx } from '../db';
import { errors } from '../errors';
import { newId, randomBytes } from '../ids';
import type { MailLang } from './mail.texts';
import { nextLocalHour } from './local-time';
import type { MailDeps } from './mail.deps';
import type { ModeratorScope } from './unsubscribe-token';

export interface ModeratorPrefsInput {
  flagged: boolean;
  digestHour: number | null;
  timeZone: string;
  lang?: MailLang;
  webhookAlerts?: boolean;
}

export const digestKey = (prefsId: string) => `digest:${prefsId}`;

/** A member’s choices for one site (no flagged mail nor digest until saved); `sendsMail`: whether this server has a mail transport at all. */
export function prefsView(p: MailModeratorPrefs | undefined, siteId: string, sendsMail: boolean) {
  return {
    siteId,
    flagged: p?.flagged ?? false,
    digestHour: p?.digest_hour ?? null,
    timeZone: p?.time_zone ?? 'UTC',
    lang: p?.lang ?? null,
    webhookAlerts: p?.webhook_alerts ?? true,
    updatedAt: p?.updated_at.toISOString() ?? null,
    sendsMail,
  };
}

export async function prefsOf(deps: Pick<MailDeps, 'db'>, memberId: string, siteId: string) {
  return deps.db.selectFrom('mail_moderator_prefs').selectAll().where('member_id', '=', memberId).where('site_id', '=', siteId).executeTakeFirst();
}

/** The digest's one row: due at the next local hour; none when the digest is off. */
async function scheduleDigest(deps: MailDeps, uow: { trx: Tx; afterCommit(fn: () => void): void }, prefs: MailModeratorPrefs): Promise<void> {
  // An untried row is replaced (its hour may have changed); a row being sent finds the new one and ends its chain.
  await uow.trx.deleteFrom('outbox').where('dedupe_key', '=', digestKey(prefs.id)).where('attempts', '=', 0).where('done_at', 'is', null).execute();
  if (prefs.digest_hour === null) return;
  await deps.outbox.enqueue(uow, {
    kind: 'mail.digest',
    siteId: prefs.site_id,
    dedupeKey: digestKey(prefs.id),
    notBefore: nextLocalHour(deps.clock.now(), prefs.digest_hour, prefs.time_zone),
    payload: { prefsId: prefs.id },
  });
}

/** A moderator's choice for one site: flagged comments at once, and the pending digest at a local hour. */
export async function savePrefs(deps: MailDeps, memberId: string, site: { id: string; settings: { locale: MailLang } }, input: ModeratorPrefsInput) {
  if (!deps.mailer) throw errors.conflict('mail_unavailable', 'This server sends no email.');
  return inTransaction(deps, async (uow) => {
    const now = deps.clock.now();
    const prefs = await uow.trx
      .insertInto('mail_moderator_prefs')
      .values({
        id: newId(),
        member_id: memberId,
        site_id: site.id,
        flagged: input.flagged,
        digest_hour: input.digestHour,
        time_zone: input.timeZone,
        lang: input.lang ?? site.settings.locale,
        secret: randomBytes(24).toString('base64url'),
        updated_at: now,
        webhook_alerts: input.webhookAlerts ?? true,
      })
      .onConflict((oc) =>
        oc.columns(['member_id', 'site_id']).doUpdateSet({
          flagged: input.flagged,
          digest_hour: input.digestHour,
          time_zone: input.timeZone,
          lang: input.lang ? input.lang : sql`mail_moderator_prefs.lang`,
          webhook_alerts: input.webhookAlerts ?? sql`mail_moderator_prefs.webhook_alerts`,
          updated_at: now,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await scheduleDigest(deps, uow, prefs);
    return prefs;
  });
}

/** One kind of member mail stopped from its unsubscribe link: `f` flagged, `d` digest, `w` webhooks switched off. */
export async function stopModeratorMail(deps: MailDeps, prefs: MailModeratorPrefs, kind: ModeratorScope): Promise<void> {
  await inTransaction(deps, async (uow) => {
    const set = kind === 'f' ? { flagged: false } : kind === 'd' ? { digest_hour: null } : { webhook_alerts: false };
    const updated = await uow.trx.updateTable('mail_moderator_prefs').set(set).where('id', '=', prefs.id).returningAll().executeTakeFirstOrThrow();
    await scheduleDigest(deps, uow, updated);
  });
}

/**
 * A member's preferences for a site, created with the defaults (nothing but the mails that are on
 * by default) when they never chose: a mail they did not ask for still needs its own unsubscribe link.
 */
export async function ensurePrefs(deps: Pick<MailDeps, 'db' | 'clock'>, memberId: string, site: { id: string; settings: { locale: MailLang } }): Promise<MailModeratorPrefs> {
  await deps.db
    .insertInto('mail_moderator_prefs')
    .values({
      id: newId(),
      member_id: memberId,
      site_id: site.id,
      flagged: false,
      digest_hour: null,
      time_zone: 'UTC',
      lang: site.settings.locale,
      secret: randomBytes(24).toString('base64url'),
      updated_at: deps.clock.now(),
    })
    .onConflict((oc) => oc.columns(['member_id', 'site_id']).doNothing())
    .execute();
  return (await prefsOf(deps, memberId, site.id))!;
}
