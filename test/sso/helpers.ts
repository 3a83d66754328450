import { SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { sql } from 'kysely';
import type { Db } from '../../server/db';
import { newId } from '../../server/ids';
import type { SsoSettings } from '../../server/sso/sso.schema';
import { buildSite, buildThread } from '../helpers/factories';
import type { TestParley } from '../helpers/parley';
import { member } from '../helpers/staff';

export interface SsoScene {
  siteId: string;
  threadId: string;
  admin: Awaited<ReturnType<typeof member>>;
  /** The HS256 key Parley generated: its kid and the secret shown once. */
  kid: string;
  secret: string;
}

/** A site using SSO, its admin, a thread, and an HS256 key created through the API. */
export async function ssoScene(parley: TestParley, sso: Partial<SsoSettings> = {}): Promise<SsoScene> {
  const site = await buildSite(parley.database.db, { settings: { sso: { mode: 'optional', ...sso } as SsoSettings } });
  const thread = await buildThread(parley.database.db, site.id);
  const admin = await member(parley, [[site.id, 'admin']], 'admin');
  const res = await admin.call('post', `/sites/${site.id}/sso/keys`, { kind: 'secret' });
  if (res.status !== 201) throw new Error(`key: ${res.status} ${JSON.stringify(res.body)}`);
  return { siteId: site.id, threadId: thread.id, admin, kid: res.body.key.kid, secret: res.body.secret };
}

/** A token as a publisher signs it, with sensible claims that each test may override or drop (undefined). */
export async function sign(
  key: KeyLike | Uint8Array | string,
  header: { alg: string; kid?: string },
  claims: Record<string, unknown>,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const base: Record<string, unknown> = { sub: 'reader-1', name: 'Ada Subscriber', jti: newId(), iat: now, exp: now + 300 };
  const payload = Object.fromEntries(Object.entries({ ...base, ...claims }).filter(([, v]) => v !== undefined)) as JWTPayload;
  const material = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  return new SignJWT(payload).setProtectedHeader(header).sign(material);
}

export const signFor = (scene: SsoScene, claims: Record<string, unknown> = {}) =>
  sign(scene.secret, { alg: 'HS256', kid: scene.kid }, { aud: scene.siteId, ...claims });

export function login(parley: TestParley, body: unknown, bearer?: string) {
  let req = parley.http().post('/api/v1/sso/login').set('Content-Type', 'application/json');
  if (bearer) req = req.set('Authorization', `Bearer ${bearer}`);
  return req.send(body as object);
}

/** Rows of the stores a sign-in writes, to show a refused one wrote nothing. */
export async function ssoRows(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['commenters', 'sso_identities', 'commenter_tokens', 'sso_jtis', 'sso_codes']) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}
