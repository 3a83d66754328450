import dns from 'node:dns';
import net from 'node:net';
import { ChallengeReplySchema } from '../../server/abuse/proof.schema';
import { runRetention } from '../../server/privacy/retention.service';
import { itOnPostgres } from '../helpers/db';
import { buildComment, buildSite, buildThread } from '../helpers/factories';
import { startTestParley, type TestParley, useParley } from '../helpers/parley';
import { challengeFor, proofFor, solve } from '../helpers/proof';
import { call } from '../helpers/reader';
import { apiKey, member } from '../helpers/staff';

const parley = useParley({ TRUST_PROXY: 'true' });
const db = () => parley.database.db;

/** A text that reads like anyone's, long enough to be compared across readers. */
const SAME = 'I completely agree with the previous commenter, the council should resign over this scandal.';

async function stored(p: TestParley, id: string) {
  const row = await p.database.db.selectFrom('comments').select(['status', 'risk', 'risk_reasons']).where('id', '=', id).executeTakeFirstOrThrow();
  return { ...row, codes: (row.risk_reasons ?? []).map((r) => r.code) };
}

async function quietThread() {
  const site = await buildSite(db());
  return { site, thread: await buildThread(db(), site.id) };
}

describe('GET /threads/:id/challenge', () => {
  it('hands out a signed challenge bound to the thread, cheap on a quiet thread and never cached', async () => {
    const { thread } = await quietThread();
    const res = await call(parley, 'get', `/threads/${thread.id}/challenge`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(ChallengeReplySchema.parse(res.body)).toEqual(res.body);
    const { challenge } = res.body;
    expect(challenge).toMatchObject({ algorithm: 'SHA-256', maxnumber: 100_000 });
    expect(challenge.salt).toContain(`t=${thread.id}`);
    const expires = Number(new URLSearchParams(challenge.salt.split('?')[1]).get('expires'));
    expect(expires * 1000 - Date.now()).toBeGreaterThan(29 * 60_000);
    // Every challenge is new.
    const again = await call(parley, 'get', `/threads/${thread.id}/challenge`);
    expect(again.body.challenge.challenge).not.toBe(challenge.challenge);
  });

  it('answers 404 for a thread that does not exist and 400 for a malformed id', async () => {
    expect((await call(parley, 'get', '/threads/0000000000000000/challenge')).status).toBe(404);
    const bad = await call(parley, 'get', '/threads/nope/challenge');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('costs more from a network that posts a lot, and less for a reader the site approved before', async () => {
    const { thread } = await quietThread();
    const ip = '198.51.100.7';
    let token = '';
    for (let i = 0; i < 3; i++) {
      const res = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: `Busy network, comment number ${i} about the bridge.`, altcha: await proofFor(parley, thread.id, { ip, token }) }, { ip, token });
      expect(res.status).toBe(201);
      token ||= res.body.commenterToken;
    }
    // Three posts from this network in ten minutes: four times the base.
    expect((await challengeFor(parley, thread.id, { ip: '198.51.100.8' }))!.maxnumber).toBe(100_000);
    expect((await challengeFor(parley, thread.id, { ip }))!.maxnumber).toBe(400_000);
    // A reader the site approved once before (not yet trusted): less than the base.
    const other = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Another reader, once.', altcha: await proofFor(parley, thread.id, { ip: '198.51.100.9' }) }, { ip: '198.51.100.9' });
    expect((await challengeFor(parley, thread.id, { ip: '198.51.100.10', token: other.body.commenterToken }))!.maxnumber).toBe(40_000);
    // Three approved: trusted, and asked nothing.
    expect(await challengeFor(parley, thread.id, { ip, token })).toBeNull();
  });
});

describe('a post’s proof of work', () => {
  it('adds nothing to the risk when it is valid; without it the comment is still published, with the reason no_proof', async () => {
    const { thread } = await quietThread();
    const ip = '203.0.113.1';
    const proved = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'With the proof of work.', altcha: await proofFor(parley, thread.id, { ip }) }, { ip });
    expect(proved.status).toBe(201);
    expect(await stored(parley, proved.body.comment.id)).toMatchObject({ status: 'approved', risk: 0, codes: [] });

    const without = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Without it.' }, { ip: '203.0.113.2' });
    expect(without.status).toBe(201);
    const row = await stored(parley, without.body.comment.id);
    expect(row).toMatchObject({ status: 'approved', codes: ['no_proof'] });
    expect(row.risk_reasons).toEqual([{ code: 'no_proof', weight: 0.35, detail: 'posted without the proof of work' }]);

    // A wrong solution, or something that is not one at all, is never a refusal either.
    const c = (await challengeFor(parley, thread.id))!;
    for (const altcha of [solve(c, 1), 'not base64 json', 42]) {
      const res = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: `A wrong proof: ${JSON.stringify(altcha).slice(0, 20)}` , altcha }, { ip: '203.0.113.3' });
      expect(res.status).toBe(201);
      expect(await stored(parley, res.body.comment.id)).toMatchObject({ status: 'approved', codes: ['no_proof'] });
      expect((await stored(parley, res.body.comment.id)).risk_reasons![0]!.detail).toBe('the proof of work did not check out');
    }
  });

  it('alone never holds a genuine comment, but tips one that another signal already leans on', async () => {
    // Two other readers posted the same words: the third copy's risk is 0.5, under holdAt (0.6).
    const withProof = await quietThread();
    const withoutProof = await quietThread();
    for (const { thread } of [withProof, withoutProof]) {
      for (const ip of ['192.0.2.1', '192.0.2.2']) {
        expect((await call(parley, 'post', `/threads/${thread.id}/comments`, { body: SAME, altcha: await proofFor(parley, thread.id, { ip }) }, { ip })).status).toBe(201);
      }
    }
    const ip = '192.0.2.3';
    const proved = await call(parley, 'post', `/threads/${withProof.thread.id}/comments`, { body: SAME, altcha: await proofFor(parley, withProof.thread.id, { ip }) }, { ip });
    expect(await stored(parley, proved.body.comment.id)).toMatchObject({ status: 'approved', risk: 0.5, codes: ['near_duplicate'] });
    const unproved = await call(parley, 'post', `/threads/${withoutProof.thread.id}/comments`, { body: SAME }, { ip });
    expect(await stored(parley, unproved.body.comment.id)).toMatchObject({ status: 'pending', codes: ['near_duplicate', 'no_proof'] });
    expect((await stored(parley, unproved.body.comment.id)).risk).toBeCloseTo(0.675, 3);

    // Moderators see why it waits for them.
    const mod = await member(parley, [[withoutProof.site.id, 'moderator']], 'moderator');
    const queue = await mod.call('get', `/moderation/comments?site=${withoutProof.site.id}&queue=pending&sort=risk`);
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((i: any) => i.comment.riskReasons.map((r: any) => r.code))).toEqual([['near_duplicate', 'no_proof']]);
  });

  it('is single use: the same solution on a second post counts as none', async () => {
    const { thread } = await quietThread();
    const altcha = await proofFor(parley, thread.id);
    const first = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'First use.', altcha }, { ip: '198.51.100.1' });
    const second = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Second use.', altcha }, { ip: '198.51.100.2' });
    expect((await stored(parley, first.body.comment.id)).codes).toEqual([]);
    expect((await stored(parley, second.body.comment.id)).codes).toEqual(['no_proof']);
  });

  it('is bound to its thread', async () => {
    const { site, thread } = await quietThread();
    const other = await buildThread(db(), site.id);
    const altcha = await proofFor(parley, thread.id);
    const res = await call(parley, 'post', `/threads/${other.id}/comments`, { body: 'A proof made for another thread.', altcha });
    expect((await stored(parley, res.body.comment.id)).codes).toEqual(['no_proof']);
    // Still unused, it works where it belongs.
    const home = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Where it belongs.', altcha });
    expect((await stored(parley, home.body.comment.id)).codes).toEqual([]);
  });

  it('expires after 30 minutes by the app’s clock', async () => {
    const { thread } = await quietThread();
    const late = await proofFor(parley, thread.id);
    const inTime = await proofFor(parley, thread.id);
    parley.app.deps.clock.advance(29 * 60_000);
    try {
      const a = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Just in time.', altcha: inTime }, { ip: '198.51.100.3' });
      expect((await stored(parley, a.body.comment.id)).codes).toEqual([]);
      parley.app.deps.clock.advance(2 * 60_000);
      const b = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Too late.', altcha: late }, { ip: '198.51.100.4' });
      expect((await stored(parley, b.body.comment.id)).codes).toEqual(['no_proof']);
    } finally {
      parley.app.deps.clock.advance(-31 * 60_000);
    }
  });

  it('is not asked of the site’s API key, nor of a reader with trust', async () => {
    const { site, thread } = await quietThread();
    const key = await apiKey(parley, site.id);
    const asKey = { token: key.secret };
    expect(await challengeFor(parley, thread.id, asKey)).toBeNull();
    const res = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Relayed by the publisher’s server.' }, asKey);
    expect(res.status).toBe(201);
    expect((await stored(parley, res.body.comment.id)).codes).toEqual([]);
    // Another site's key is not this site's: its posts are asked like anyone's.
    const otherKey = await apiKey(parley, (await buildSite(db())).id);
    expect(await challengeFor(parley, thread.id, { token: otherKey.secret })).not.toBeNull();
    // A revoked or unknown key is refused, as everywhere.
    expect((await call(parley, 'get', `/threads/${thread.id}/challenge`, undefined, { token: 'sk_not_a_key' })).status).toBe(401);

    // A reader with three approved comments and nothing taken down: trust (SPEC §11).
    const first = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'My first words here.', altcha: await proofFor(parley, thread.id) });
    const token = first.body.commenterToken as string;
    expect(await challengeFor(parley, thread.id, { token })).not.toBeNull();
    const commenterId = await commenterOf(first.body.comment.id);
    for (let i = 0; i < 3; i++) await buildComment(db(), thread, { status: 'approved', commenterId, body: `Earlier ${i}` });
    expect(await challengeFor(parley, thread.id, { token })).toBeNull();
    const trusted = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Trusted, and posting without any proof.' }, { token });
    expect(await stored(parley, trusted.body.comment.id)).toMatchObject({ status: 'approved', codes: [] });
  });

  it('is not asked of an edit, which gets a risk of its own: a text edited into a campaign’s goes to spam', async () => {
    const { thread } = await quietThread();
    for (let i = 0; i < 4; i++) {
      const ip = `203.0.113.${20 + i}`;
      await call(parley, 'post', `/threads/${thread.id}/comments`, { body: SAME, altcha: await proofFor(parley, thread.id, { ip }) }, { ip });
    }
    const ip = '203.0.113.30';
    const mine = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'An innocent remark about the weather today.', altcha: await proofFor(parley, thread.id, { ip }) }, { ip });
    expect(await stored(parley, mine.body.comment.id)).toMatchObject({ status: 'approved', risk: 0 });

    const edited = await call(parley, 'patch', `/comments/${mine.body.comment.id}`, { body: SAME }, { ip, token: mine.body.commenterToken });
    expect(edited.status).toBe(200);
    const row = await stored(parley, mine.body.comment.id);
    expect(row.status).toBe('spam');
    expect(row.risk).toBeGreaterThanOrEqual(0.9);
    expect(row.codes).toEqual(['near_duplicate']);
    // Its fingerprint follows the new text: the next copy counts it among the others.
    const next = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: SAME, altcha: await proofFor(parley, thread.id, { ip: '203.0.113.31' }) }, { ip: '203.0.113.31' });
    expect((await stored(parley, next.body.comment.id)).risk_reasons![0]!.detail).toMatch(/^5 other readers/);

    // And an edit back to something ordinary is scored again too.
    const innocent = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'The weather is fine.', altcha: await proofFor(parley, thread.id, { ip: '203.0.113.40' }) }, { ip: '203.0.113.40' });
    await call(parley, 'patch', `/comments/${innocent.body.comment.id}`, { body: 'The weather is fine, and the bridge reopens on Monday.' }, { ip: '203.0.113.40', token: innocent.body.commenterToken });
    expect(await stored(parley, innocent.body.comment.id)).toMatchObject({ status: 'approved', risk: 0, codes: [] });
  });

  it('keeps used challenges no longer than they could be used', async () => {
    const { thread } = await quietThread();
    await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Claims a challenge.', altcha: await proofFor(parley, thread.id) });
    expect(await db().selectFrom('pow_used').select('challenge').execute()).toHaveLength(1);
    expect((await runRetention({ db: db() })).usedChallenges).toBe(0);
    const report = await runRetention({ db: db() }, new Date(Date.now() + 2 * 3_600_000));
    expect(report.usedChallenges).toBe(1);
    expect(await db().selectFrom('pow_used').select('challenge').execute()).toEqual([]);
  });

  it('never leaves the machine: challenge, solution and check run with outbound connections blocked', async () => {
    const attempts: string[] = [];
    const connect = net.Socket.prototype.connect;
    const lookup = dns.lookup;
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
      const { thread } = await quietThread();
      const res = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Checked here and only here.', altcha: await proofFor(parley, thread.id) });
      expect(res.status).toBe(201);
      expect((await stored(parley, res.body.comment.id)).codes).toEqual([]);
    } finally {
      net.Socket.prototype.connect = connect;
      (dns as any).lookup = lookup;
    }
    expect(attempts).toEqual([]);
  });
});

async function commenterOf(commentId: string): Promise<string> {
  return (await db().selectFrom('comments').select('commenter_id').where('id', '=', commentId).executeTakeFirstOrThrow()).commenter_id!;
}

describe('on two instances sharing a PostgreSQL database', () => {
  itOnPostgres('a solution is good for one post only, whichever instance each post reaches, even at the same moment', async () => {
    const one = await startTestParley({ TRUST_PROXY: 'true' });
    const two = await startTestParley({ TRUST_PROXY: 'true' }, { keepData: true });
    try {
      const site = await buildSite(one.database.db);
      const thread = await buildThread(one.database.db, site.id);
      // Issued by one instance, checked by the other: they sign with the same secret.
      const altcha = await proofFor(one, thread.id);
      const across = await call(two, 'post', `/threads/${thread.id}/comments`, { body: 'Issued on one, used on two.', altcha }, { ip: '198.51.100.50' });
      expect((await stored(two, across.body.comment.id)).codes).toEqual([]);
      const reused = await call(one, 'post', `/threads/${thread.id}/comments`, { body: 'Used again on one.', altcha }, { ip: '198.51.100.51' });
      expect((await stored(one, reused.body.comment.id)).codes).toEqual(['no_proof']);

      // The same fresh solution sent to both at once: exactly one post gets it.
      for (let round = 0; round < 5; round++) {
        const fresh = await proofFor(two, thread.id);
        const posts = await Promise.all(
          [one, two].map((p, i) => call(p, 'post', `/threads/${thread.id}/comments`, { body: `Race ${round}, instance ${i + 1}.`, altcha: fresh }, { ip: `198.51.100.${60 + 2 * round + i}` })),
        );
        const codes = await Promise.all(posts.map((res) => stored(one, res.body.comment.id).then((r) => r.codes.join())));
        expect(codes.sort()).toEqual(['', 'no_proof']);
      }
    } finally {
      await two.close();
      await one.close();
    }
  }, 60_000);
});
