import { sql } from 'kysely';
import { runRetention } from '../../server/privacy/retention.service';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { member } from '../helpers/staff';

const parley = useParley();

const db = () => parley.database.db;

async function troll() {
  const site = await buildSite(db(), { settings: { heldWords: ['crooks'] } });
  const thread = await buildThread(db(), site.id);
  const mod = await member(parley, [[site.id, 'moderator']], 'moderator', { name: 'Mary Moderator' });
  const first = await postComment(parley, thread.id, { body: 'They are crooks', name: 'Troll', email: 'troll@example.com' });
  const token = first.body.commenterToken as string;
  await mod.call('post', `/moderation/comments/${first.body.comment.id}/decision`, { action: 'reject', reason: 'insults' }).expect(200);
  await mod.call('post', '/moderation/bans', { site: site.id, commentId: first.body.comment.id, reason: 'repeat offender' }).expect(201);
  await mod.call('post', '/moderation/bans', { site: site.id, commentId: first.body.comment.id, scope: 'network' }).expect(201);
  return { site, thread, mod, token, commentId: first.body.comment.id as string };
}

describe('moderation records in export, erasure and retention', () => {
  it('exports the decisions about a commenter and their bans, without naming the moderator', async () => {
    const { site, token, commentId } = await troll();
    const res = await parley.http().get('/api/v1/me/export').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const doc = res.body.export ?? res.body;
    expect(doc.moderationDecisions).toEqual([
      { at: expect.any(String), siteId: site.id, action: 'comment.reject', commentId, from: 'pending', to: 'rejected', reason: 'insults', by: 'a moderator' },
      expect.objectContaining({ action: 'ban.create', reason: 'repeat offender' }),
      expect.objectContaining({ action: 'ban.create', commentId }),
    ]);
    expect(doc.bans).toEqual([
      expect.objectContaining({ scope: 'commenter', reason: 'repeat offender', expiresAt: null, liftedAt: null }),
      expect.objectContaining({ scope: 'network', network: { hash: expect.stringMatching(/^\d{4}-\d\d-\d\d:/) } }),
    ]);
    expect(JSON.stringify(doc.moderationDecisions)).not.toContain('Mary');
  });

  it('erasure unlinks the log, drops their bans and the rules’ reasons; the network ban stays', async () => {
    const { token, commentId } = await troll();
    const res = await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(await db().selectFrom('moderation_log').selectAll().where('commenter_id', 'is not', null).execute()).toEqual([]);
    const bans = await db().selectFrom('bans').selectAll().execute();
    expect(bans).toHaveLength(1);
    expect(bans[0]).toMatchObject({ commenter_id: null, network_hash: expect.any(String) });
    const comment = await db().selectFrom('comments').selectAll().where('id', '=', commentId).executeTakeFirstOrThrow();
    expect(comment.status_reason).toBeNull();
  });

  it('retention drops a network ban with the site’s network hashes, or once its day’s secret is gone', async () => {
    const { site } = await troll();
    expect(await db().selectFrom('bans').selectAll().where('network_hash', 'is not', null).execute()).toHaveLength(1);
    await runRetention({ db: db() });
    expect(await db().selectFrom('bans').selectAll().where('network_hash', 'is not', null).execute()).toHaveLength(1);
    await db().updateTable('bans').set({ network_day: sql`to_char(now() - interval '31 days', 'YYYY-MM-DD')` }).where('site_id', '=', site.id).where('network_hash', 'is not', null).execute();
    const report = await runRetention({ db: db() });
    expect(await db().selectFrom('bans').selectAll().where('network_hash', 'is not', null).execute()).toHaveLength(0);
    expect(JSON.stringify(report)).toContain('"networkBans":1');
    // The commenter ban is not a network hash: it stays.
    expect(await db().selectFrom('bans').selectAll().execute()).toHaveLength(1);
  });
});
