import { lastStatements } from '../../server/db';
import { newId } from '../../server/ids';
import { queueNewCommentEvent } from '../../server/webhooks/webhook.repo';
import { useTestDatabase } from '../helpers/db';
import { buildSite, buildThread } from '../helpers/factories';

/**
 * The events a batch of new comments queues, on a real database: one statement for the batch's
 * posts (`SharedLast`), a row per post and endpoint that asked for it, each endpoint's rows in its
 * lane for the thread in the posts' order (the order its receiver gets them in).
 */
const database = useTestDatabase();

describe('new comments’ webhook events queued by a batch', () => {
  it('queues each post for each endpoint that wants it, in the posts’ order, in one statement', async () => {
    const db = database.handle.db;
    const site = await buildSite(db);
    const thread = await buildThread(db, site.id);
    const endpoint = async (kind: 'standard' | 'slack', events: string[], enabled = true) => {
      const id = newId();
      await db
        .insertInto('webhook_endpoints')
        .values({ id, site_id: site.id, kind, url: 'https://hooks.example/in', events: JSON.stringify(events), description: kind, enabled, secret: 'whsec_x', created_at: new Date() })
        .execute();
      return id;
    };
    const cms = await endpoint('standard', ['comment.created']);
    const slack = await endpoint('slack', []);
    await endpoint('standard', ['comment.deleted']);
    await endpoint('standard', ['comment.created'], false);

    const now = new Date();
    const posts = [
      { id: 'c1', slack: false },
      { id: 'c2', slack: true },
      { id: 'c3', slack: false },
    ];
    const statements = lastStatements(
      posts.map((p) =>
        queueNewCommentEvent({
          siteId: site.id,
          threadId: thread.id,
          type: 'comment.created',
          slack: p.slack,
          commenterId: null,
          payload: { subject: { type: 'comment.created', id: p.id }, at: now.toISOString(), data: null },
          now,
        }),
      ),
    );
    expect(statements).toHaveLength(1);
    await db.transaction().execute(async (trx) => {
      for (const statement of statements) await statement.execute(trx);
    });
    const rows = await db.selectFrom('outbox').select(['lane', 'payload']).where('kind', '=', 'webhook').orderBy('id').execute();
    const queued = rows.map((r) => [r.lane, (r.payload as { endpointId: string; subject: { id: string } }).subject.id]);
    const lane = (endpointId: string) => `wh:${endpointId}:thread:${thread.id}`;
    expect(queued.filter(([l]) => l === lane(cms)).map(([, id]) => id)).toEqual(['c1', 'c2', 'c3']);
    expect(queued.filter(([l]) => l === lane(slack)).map(([, id]) => id)).toEqual(['c2']);
    expect(queued).toHaveLength(4);
    expect(rows.every((r) => (r.payload as { endpointId: string }).endpointId === r.lane!.split(':')[1])).toBe(true);
  });
});
