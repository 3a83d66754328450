import { learnGenuine } from '../../server/abuse/abuse.service';
import dns from 'node:dns';
import net from 'node:net';
import { buildComment, buildSite, buildThread } from '../helpers/factories';
import { itOnPostgres } from '../helpers/db';
import { startTestParley, type TestParley, useParley } from '../helpers/parley';
import { proofFor } from '../helpers/proof';
import { call } from '../helpers/reader';
import { member } from '../helpers/staff';

const SPAMMY = 'Lovely knitting patterns for winter scarves in my little shop on the high street, come and have a look';
const LIKE_IT = 'Knitting patterns for scarves and winter hats in my little shop, have a look';

async function riskOf(parley: TestParley, commentId: string): Promise<number> {
  const row = await parley.database.db.selectFrom('comments').select('risk').where('id', '=', commentId).executeTakeFirstOrThrow();
  return row.risk!;
}

describe('learning from the site’s moderators', () => {
  const parley = useParley({ TRUST_PROXY: 'true', PARLEY_RATE_LIMITS: 'off' });
  const db = () => parley.database.db;

  it('learns a published comment nobody took down within a day as genuine, once', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const kept = await buildComment(db(), thread, { status: 'approved', body: 'The bridge vote was delayed again.' });
    const taken = await buildComment(db(), thread, { status: 'rejected', body: 'Rude words here.' });
    const job = () => parley.app.deps.abuse!;
    expect(await learnGenuine(job())).toBe(0);
    parley.app.deps.clock.advance(25 * 3_600_000);
    try {
      expect(await learnGenuine(job())).toBe(1);
      expect(await learnGenuine(job())).toBe(0);
      const samples = await db().selectFrom('abuse_samples').select(['comment_id', 'label']).execute();
      expect(samples).toEqual([{ comment_id: kept.id, label: 'ham' }]);
      expect(samples.some((s) => s.comment_id === taken.id)).toBe(false);
      const model = await db().selectFrom('abuse_models').selectAll().where('site_id', '=', site.id).executeTakeFirstOrThrow();
      expect(model.ham_docs).toBe(1);
    } finally {
      parley.app.deps.clock.advance(-25 * 3_600_000);
    }
  });

  it('runs every check without a single connection leaving the machine', async () => {
    const attempts: string[] = [];
    const connect = net.Socket.prototype.connect;
    const lookup = dns.lookup;
    // Anything but loopback is refused and recorded: the database and the test's own HTTP stay reachable.
    net.Socket.prototype.connect = function (this: net.Socket, ...args: any[]) {
      const o = typeof args[0] === 'object' ? args[0] : { port: args[0], host: args[1] };
      const host = o.host ?? o.path ?? 'localhost';
      if (!/^(127\.|::1$|localhost$|\/)/.test(String(host))) {
        attempts.push(String(host));
        throw new Error(`outbound connection to ${host} blocked by the test`);
      }
      return (connect as any).apply(this, args);
    } as any;
    (dns as any).lookup = (host: string, ...rest: any[]) => {
      if (host !== 'localhost') attempts.push(`dns:${host}`);
      return (lookup as any)(host, ...rest);
    };
    try {
      const site = await buildSite(db());
      const thread = await buildThread(db(), site.id);
      const first = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: `${SPAMMY} http://replica-luxury-store.com` }, { ip: '198.51.100.1' });
      expect(first.status).toBe(201);
      const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
      expect((await mod.call('post', `/moderation/comments/${first.body.comment.id}/decision`, { action: 'reject' })).status).toBe(200);
      // The proof of work too: the challenge is fetched and checked without leaving the machine.
      const altcha = await proofFor(parley, thread.id, { ip: '198.51.100.2' });
      const second = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: LIKE_IT, altcha }, { ip: '198.51.100.2' });
      expect(second.status).toBe(201);
      expect(await riskOf(parley, second.body.comment.id)).toBeGreaterThan(0);
      const reasons = (await db().selectFrom('comments').select('risk_reasons').where('id', '=', second.body.comment.id).executeTakeFirstOrThrow()).risk_reasons;
      expect(reasons?.map((r) => r.code)).not.toContain('no_proof');
    } finally {
      net.Socket.prototype.connect = connect;
      (dns as any).lookup = lookup;
    }
    expect(attempts).toEqual([]);
  });
});

describe('on two instances sharing a PostgreSQL database', () => {
  itOnPostgres('a moderator’s decisions on one instance move the next comment’s score on the other', async () => {
    const one = await startTestParley({ TRUST_PROXY: 'true', PARLEY_RATE_LIMITS: 'off' });
    const two = await startTestParley({ TRUST_PROXY: 'true', PARLEY_RATE_LIMITS: 'off' }, { keepData: true });
    try {
      const db = one.database.db;
      const site = await buildSite(db);
      const thread = await buildThread(db, site.id);
      // The second instance scores a text first, so it holds the site's model in memory.
      const before = await call(two, 'post', `/threads/${thread.id}/comments`, { body: LIKE_IT }, { ip: '198.51.100.10' });
      const riskBefore = await riskOf(two, before.body.comment.id);

      const mod = await member(one, [[site.id, 'moderator']], 'moderator');
      for (let i = 0; i < 4; i++) {
        const posted = await call(one, 'post', `/threads/${thread.id}/comments`, { body: `${SPAMMY} number ${i}` }, { ip: `198.51.100.${20 + i}` });
        expect((await mod.call('post', `/moderation/comments/${posted.body.comment.id}/decision`, { action: 'reject' })).status).toBe(200);
      }
      const after = await call(two, 'post', `/threads/${thread.id}/comments`, { body: `${LIKE_IT}, new stock` }, { ip: '198.51.100.11' });
      const riskAfter = await riskOf(two, after.body.comment.id);
      expect(riskAfter).toBeGreaterThan(riskBefore);
      expect((await two.database.db.selectFrom('comments').select('risk_reasons').where('id', '=', after.body.comment.id).executeTakeFirstOrThrow()).risk_reasons).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: 'classifier' })]),
      );
    } finally {
      await two.close();
      await one.close();
    }
  }, 60_000);
});
