import type { Kysely } from 'kysely';
import { strictWebsite } from '../../server/website';

/**
 * Websites were once kept as typed when they merely parsed as http(s) URLs, so a quote-laden host or
 * a `user@host` address could be stored and handed to third parties as `author.website`. Each
 * stored website is replaced by its serialised form, or cleared when it fails today's check. Rows
 * are read in id order, a batch at a time, so a large comments table is never read at once.
 */
const BATCH = 1000;

async function rewrite(db: Kysely<any>, table: 'commenters' | 'comments', column: 'website' | 'author_website'): Promise<void> {
  let after = '';
  for (;;) {
    const rows: Array<{ id: string; value: string }> = await db
      .selectFrom(table)
      .select(['id', `${column} as value`])
      .where(column, 'is not', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const cleaned = strictWebsite(row.value);
      if (cleaned !== row.value) await db.updateTable(table).set({ [column]: cleaned }).where('id', '=', row.id).execute();
    }
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await rewrite(db, 'commenters', 'website');
  await rewrite(db, 'comments', 'author_website');
}

export async function down(): Promise<void> {
  // Nothing to restore: the cleared values were never valid websites.
}
