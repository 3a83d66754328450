import type { Commenter } from '../../db/schema';
import type { Executor } from '../db';

/** The token a first post created (on the commenter), or one of a signed-in reader's per-device tokens. */
export async function findByTokenHash(db: Executor, tokenHash: string): Promise<Commenter | undefined> {
  return db
    .selectFrom('commenters')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('token_hash', '=', tokenHash),
        eb('id', '=', eb.selectFrom('commenter_tokens').select('commenter_id').where('token_hash', '=', tokenHash)),
      ]),
    )
    .executeTakeFirst();
}

export async function findCommenter(db: Executor, id: string): Promise<Commenter | undefined> {
  return db.selectFrom('commenters').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertCommenter(
  db: Executor,
  values: { id: string; tokenHash: string; name?: string | null; email?: string | null; website?: string | null },
): Promise<Commenter> {
  return db
    .insertInto('commenters')
    .values({
      id: values.id,
      token_hash: values.tokenHash,
      name: values.name ?? null,
      email: values.email ?? null,
      website: values.website ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateProfile(
  db: Executor,
  id: string,
  profile: { name?: string | null; email?: string | null; email_verified?: boolean; website?: string | null; show_vote?: boolean },
): Promise<Commenter> {
  return db.updateTable('commenters').set(profile).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** How many of a commenter's comments in a site were approved: the `first_time` mode asks this. */
export async function approvedCount(db: Executor, commenterId: string, siteId: string): Promise<number> {
  const row = await db
    .selectFrom('comments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('commenter_id', '=', commenterId)
    .where('site_id', '=', siteId)
    .where('status', '=', 'approved')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
