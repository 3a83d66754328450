import { lastStatements } from '../../server/db';
import { newId } from '../../server/ids';
import { queueReplyMails } from '../../server/mail/mail.repo';
import { useTestDatabase } from '../helpers/db';
import { buildComment, buildCommenter, buildSite, buildThread } from '../helpers/factories';

/**
 * The reply mails a batch of posts queues, on a real database: one statement for the batch's posts
 * (`SharedLast`), telling every follower whom any of them concerns, and nobody of posts that are all
 * their own. A post's own writer leaves its part; the batch builds one statement from them all.
 */
const database = useTestDatabase();

describe('reply mails queued by a batch of posts', () => {
  it('tells each follower of the others’ comments, those following a comment only of its answers, in one statement', async () => {
    const db = database.handle.db;
    const site = await buildSite(db);
    const thread = await buildThread(db, site.id);
    const now = new Date();
    const follower = async (name: string, scope: 'thread' | 'comment') => {
      const commenter = await buildCommenter(db, { name });
      const comment = await buildComment(db, thread, { status: 'approved', commenterId: commenter.id });
      const address = await db
        .insertInto('mail_addresses')
        .values({ id: newId(), site_id: site.id, email: `${name}@example.com`, commenter_id: commenter.id, lang: 'en', secret: 's', confirmed_at: now, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('mail_subscriptions')
        .values({ id: newId(), address_id: address.id, site_id: site.id, commenter_id: commenter.id, thread_id: thread.id, comment_id: scope === 'comment' ? comment.id : null, scope, notified_until: now, created_at: now })
        .execute();
      return { name, commenter: commenter.id, comment: comment.id, address: address.id };
    };
    const [alice, bob, carol] = [await follower('alice', 'thread'), await follower('bob', 'thread'), await follower('carol', 'comment')];
    const told = async () => {
      const rows = await db.selectFrom('outbox').select(['payload']).where('kind', '=', 'mail.replies').where('done_at', 'is', null).execute();
      const names = new Map([alice, bob, carol].map((f) => [f.address, f.name]));
      return rows.map((r) => names.get((r.payload as { addressId: string }).addressId)).sort();
    };
    const batch = async (posts: Array<{ author: string; answered?: string }>) => {
      const statements = lastStatements(
        posts.map((p) => queueReplyMails({ siteId: site.id, threadId: thread.id, answered: [p.answered ?? null, null], authorId: p.author, now })),
      );
      expect(statements).toHaveLength(1);
      await db.transaction().execute(async (trx) => {
        for (const statement of statements) await statement.execute(trx);
      });
    };

    // Alice twice at the top of the thread: Bob hears of it; Alice does not (her own), nor Carol (not her comment).
    await batch([{ author: alice.commenter }, { author: alice.commenter }]);
    expect(await told()).toEqual(['bob']);
    await db.deleteFrom('outbox').execute();
    // Alice at the top, then Bob answering Carol, in one batch: each hears of the other, Carol of her answer.
    await batch([{ author: alice.commenter }, { author: bob.commenter, answered: carol.comment }]);
    expect(await told()).toEqual(['alice', 'bob', 'carol']);
    // A second batch inside the window adds no second row for anyone.
    await batch([{ author: carol.commenter }]);
    expect(await told()).toEqual(['alice', 'bob', 'carol']);
  });
});
