import { SignJWT } from 'jose';
import { sql } from 'kysely';
import type { Db } from '../db';
import { newId, randomBytes } from '../ids';
import { DEMO_SITE_ID } from '../seed/demo';
import { withSettings } from '../sites/site.service';

/**
 * The demo's stand-in for a publisher's account system: a tiny signer for the demo site only, so a
 * visitor of /demo/sso can sign in as a subscriber and see Parley's sign-in at work. A real
 * publisher signs on their own server (docs/sso.md); this one only ever signs one made-up reader.
 */
const DEMO_KID = 'parley-demo';
export const DEMO_SUBSCRIBER = { sub: 'demo-subscriber', name: 'Demo Subscriber', badge: 'Subscriber' };

/** Turns sign-in on for the demo site the first time /demo/sso is opened, and makes the demo's key. Null: no demo site. */
export async function ensureDemoSignIn(db: Db, publicUrl: string): Promise<boolean> {
  const site = await db.selectFrom('sites').selectAll().where('id', '=', DEMO_SITE_ID).executeTakeFirst();
  if (!site) return false;
  const stored = (site.settings ?? {}) as Record<string, unknown>;
  if (!stored.sso) {
    const sso = { ...withSettings(site).settings.sso, mode: 'optional', loginUrl: `${publicUrl}/demo/sso` };
    await db.updateTable('sites').set({ settings: JSON.stringify({ ...stored, sso }), updated_at: sql`now()` }).where('id', '=', DEMO_SITE_ID).execute();
  }
  await db
    .insertInto('sso_keys')
    .values({ id: newId(), site_id: DEMO_SITE_ID, kind: 'secret', kid: DEMO_KID, alg: 'HS256', secret: randomBytes(32).toString('base64url'), public_jwk: null, jwks_url: null })
    .onConflict((oc) => oc.columns(['site_id', 'kid']).where('retired_at', 'is', null).where('kid', 'is not', null).doNothing())
    .execute();
  return true;
}

/** A token for the demo subscriber, signed as a publisher would sign it. */
export async function demoToken(db: Db): Promise<string | null> {
  const key = await db.selectFrom('sso_keys').select('secret').where('site_id', '=', DEMO_SITE_ID).where('kid', '=', DEMO_KID).where('retired_at', 'is', null).executeTakeFirst();
  if (!key?.secret) return null;
  return new SignJWT({ name: DEMO_SUBSCRIBER.name, badge: DEMO_SUBSCRIBER.badge })
    .setProtectedHeader({ alg: 'HS256', kid: DEMO_KID })
    .setAudience(DEMO_SITE_ID)
    .setSubject(DEMO_SUBSCRIBER.sub)
    .setJti(newId())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(key.secret));
}
