import { assess } from '../../server/abuse/assess';
import { abusePrivacy, SAMPLE_DAYS } from '../../server/abuse/abuse.privacy';
import { claimRegression, regressionsDue } from '../../server/abuse/abuse.repo';
import { fitRegressions, REFIT_EVERY_MS } from '../../server/abuse/abuse.service';
import { emptyCounts, modelOf } from '../../server/abuse/bayes';
import { featuresOf } from '../../server/abuse/features';
import { fitRegressionNow, regressionProbability } from '../../server/abuse/regression';
import { classifierSignal, MATURE_AT, REGRESSION_HOLD_FROM } from '../../server/abuse/signals/classifier';
import type { Db, UnitOfWork } from '../../server/db';
import { buildComment, buildCommenter, buildSite, buildThread, commentValues } from '../helpers/factories';
import { itOnPostgres } from '../helpers/db';
import { startTestParley, useParley } from '../helpers/parley';
import { call } from '../helpers/reader';

/**
 * Two vocabularies no mail or comment uses, so neither the shipped model nor a site's counts know
 * them: what the regression learns from a site's samples is all that can tell the texts apart.
 */
const SPAM_WORDS = ['vexorin', 'plumquat', 'zarnitek', 'quobble', 'frandix', 'glimworth', 'torvex', 'snarbit'];
const GENUINE_WORDS = ['marrowfen', 'tollquay', 'bruntide', 'wendlow', 'harkspur', 'ollendge', 'crimsby', 'thalwick'];
function texts(words: readonly string[], n: number, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: n }, () => Array.from({ length: 10 }, () => words[Math.floor(next() * words.length)]).join(' '));
}

describe('the regression (a mature site’s second opinion)', () => {
  const samples = [
    ...texts(SPAM_WORDS, 60, 1).map((t) => ({ features: featuresOf(t), label: 'spam' as const })),
    ...texts(GENUINE_WORDS, 60, 2).map((t) => ({ features: featuresOf(t), label: 'ham' as const })),
  ];

  it('learns from samples which texts the site took down, the same way every time', () => {
    const model = fitRegressionNow(samples);
    expect(regressionProbability(model, featuresOf(texts(SPAM_WORDS, 1, 3)[0]!))).toBeGreaterThan(0.9);
    expect(regressionProbability(model, featuresOf(texts(GENUINE_WORDS, 1, 4)[0]!))).toBeLessThan(0.1);
    // Nothing it knows: it cannot tell.
    expect(regressionProbability(model, featuresOf('entirely different words here'))).toBeGreaterThan(0.2);
    expect(regressionProbability(model, featuresOf('entirely different words here'))).toBeLessThan(0.8);
    expect([...fitRegressionNow(samples).weights]).toEqual([...model.weights]);
  });

  it('does not weigh a feature only one sample had', () => {
    const model = fitRegressionNow([...samples, { features: ['onlyhere'], label: 'spam' }]);
    expect(model.weights.has('onlyhere')).toBe(false);
    expect(model.weights.has('vexorin')).toBe(true);
  });

  it('holds a text on a mature site by itself, for a moderator, and never sends it to spam alone', () => {
    // The naive Bayes cannot tell (0.5): only the regression speaks.
    expect(classifierSignal(0.5, 0.5, MATURE_AT, REGRESSION_HOLD_FROM)!.weight).toBe(0.6);
    expect(classifierSignal(0.5, 0.5, MATURE_AT, 0.999)!.weight).toBe(0.6);
    expect(classifierSignal(0.5, 0.5, MATURE_AT, REGRESSION_HOLD_FROM - 0.01)).toBeNull();
    // The naive Bayes's own stronger opinion stands.
    expect(classifierSignal(0.99, 0.99, MATURE_AT, 0.99)!.weight).toBeGreaterThan(0.9);
  });

  it('takes a mature site’s naive Bayes at a lower probability than a young site’s', () => {
    expect(classifierSignal(0.7, 0.6, MATURE_AT)!.weight).toBeGreaterThanOrEqual(0.6);
    expect(classifierSignal(0.7, 0.6, 100)).toBeNull();
    // Halfway between: a lower gate and hold point than a young site's, not yet the mature ones.
    expect(classifierSignal(0.7, 0.6, 650)?.weight ?? 0).toBeLessThan(0.6);
  });

  it('changes the risk of the check as a whole', () => {
    const model = modelOf(emptyCounts());
    const text = texts(SPAM_WORDS, 1, 5)[0]!;
    const facts = { model, learnt: MATURE_AT, text, nearDuplicates: 0, windowHours: 24, speed: null, proof: 'valid' as const };
    expect(assess(facts).score).toBe(0);
    expect(assess({ ...facts, regression: fitRegressionNow(samples) }).score).toBeGreaterThanOrEqual(0.6);
  });
});

/** A site that learnt MATURE_AT texts: its comments, their samples, and its model's totals (version 7). */
async function seedMatureSite(db: Db, now: Date) {
  const site = await buildSite(db);
  const thread = await buildThread(db, site.id);
  const learnt = [...texts(SPAM_WORDS, MATURE_AT / 2, 6).map((t) => [t, 'spam'] as const), ...texts(GENUINE_WORDS, MATURE_AT / 2, 7).map((t) => [t, 'ham'] as const)];
  const rows = learnt.map(([body, label]) => commentValues(thread, { body, status: label === 'spam' ? 'spam' : 'approved', commenterId: null }));
  await db.insertInto('comments').values(rows).execute();
  await db
    .insertInto('abuse_samples')
    .values(learnt.map(([body, label], i) => ({ comment_id: rows[i]!.id, site_id: site.id, commenter_id: null, label, features: JSON.stringify(featuresOf(body)), created_at: now })))
    .execute();
  await db
    .insertInto('abuse_models')
    .values({ site_id: site.id, spam_docs: MATURE_AT / 2, ham_docs: MATURE_AT / 2, version: 7 })
    .execute();
  return { site, thread };
}

describe('fitting a mature site’s regression in the background', () => {
  const parley = useParley({ TRUST_PROXY: 'true', PARLEY_RATE_LIMITS: 'off' });
  const db = () => parley.app.deps.db;
  const deps = () => ({ db: db(), clock: parley.app.deps.clock });

  const matureSite = () => seedMatureSite(db(), parley.app.deps.clock.now());

  it('fits it once per change of the site’s model, and posts are judged with it', async () => {
    const { site, thread } = await matureSite();
    expect(await fitRegressions(deps())).toBe(1);
    // Nothing moved since: not fitted again.
    expect(await fitRegressions(deps())).toBe(0);
    const row = await db().selectFrom('abuse_regressions').selectAll().where('site_id', '=', site.id).executeTakeFirstOrThrow();
    expect(row.samples).toBe(MATURE_AT);
    // The fit moved the site's version (every instance reads it with its next post) and counts as of it.
    expect(String(row.fitted_version)).toBe('8');
    const model = await db().selectFrom('abuse_models').select('version').where('site_id', '=', site.id).executeTakeFirstOrThrow();
    expect(String(model.version)).toBe('8');
    expect(Object.keys(row.weights!)).toEqual(expect.arrayContaining(['vexorin', 'marrowfen']));

    const spam = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: texts(SPAM_WORDS, 1, 8)[0] }, { ip: '198.51.100.30' });
    expect(spam.status).toBe(201);
    expect(spam.body.comment.status).toBe('pending');
    const reasons = (await db().selectFrom('comments').select('risk_reasons').where('id', '=', spam.body.comment.id).executeTakeFirstOrThrow()).risk_reasons;
    expect(reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'classifier', weight: 0.6 })]));
    const genuine = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: texts(GENUINE_WORDS, 1, 9)[0] }, { ip: '198.51.100.31' });
    expect(genuine.body.comment.status).toBe('approved');

    // The model moved (a decision elsewhere): fitted again, but not more often than REFIT_EVERY_MS.
    await db().updateTable('abuse_models').set({ version: 9 }).where('site_id', '=', site.id).execute();
    expect(await fitRegressions(deps())).toBe(0);
    parley.app.deps.clock.advance(REFIT_EVERY_MS);
    try {
      expect(await fitRegressions(deps())).toBe(1);
    } finally {
      parley.app.deps.clock.advance(-REFIT_EVERY_MS);
    }
  }, 60_000);

  it('lets one instance at a time fit a site', async () => {
    const site = await buildSite(db());
    const now = parley.app.deps.clock.now();
    const until = new Date(now.getTime() + 60_000);
    expect(await claimRegression(db(), site.id, now, until)).toBe(true);
    expect(await claimRegression(db(), site.id, now, until)).toBe(false);
    // A claim whose instance went away runs out.
    expect(await claimRegression(db(), site.id, new Date(until.getTime() + 1), new Date(until.getTime() + 60_000))).toBe(true);
  });

  it('is not fitted for a site that learnt too little', async () => {
    const site = await buildSite(db());
    await db().insertInto('abuse_models').values({ site_id: site.id, spam_docs: 10, ham_docs: 10, version: 3 }).execute();
    expect(await fitRegressions(deps())).toBe(0);
  });

  it('is fitted again without a reader’s samples once they erase their data, and only there', async () => {
    const { site, thread } = await matureSite();
    const other = (await matureSite()).site;
    expect(await fitRegressions(deps())).toBe(2);
    const reader = await buildCommenter(db());
    const theirs = await buildComment(db(), thread, { status: 'approved', commenterId: reader.id, body: 'Marrowfen tollquay' });
    await db()
      .insertInto('abuse_samples')
      .values({ comment_id: theirs.id, site_id: site.id, commenter_id: reader.id, label: 'ham', features: JSON.stringify(featuresOf(theirs.body_src)), created_at: parley.app.deps.clock.now() })
      .execute();
    const due = async () => (await regressionsDue(db(), { minLearnt: MATURE_AT, notSince: parley.app.deps.clock.now() })).map((r) => r.site_id);
    expect(await due()).not.toContain(site.id);
    await db()
      .transaction()
      .execute((trx) => abusePrivacy.erase!({ trx } as UnitOfWork, { commenterId: reader.id, commentIds: [theirs.id] }));
    expect(await due()).toContain(site.id);
    // An erasure across every site refits only the sites the reader's samples came from.
    expect(await due()).not.toContain(other.id);
    expect(await fitRegressions(deps())).toBe(1);
  }, 60_000);

  it('is fitted again without the samples retention removed', async () => {
    const { site } = await matureSite();
    expect(await fitRegressions(deps())).toBe(1);
    const due = async () => (await regressionsDue(db(), { minLearnt: MATURE_AT, notSince: parley.app.deps.clock.now() })).map((r) => r.site_id);
    expect(await due()).not.toContain(site.id);
    const later = new Date(parley.app.deps.clock.now().getTime() + (SAMPLE_DAYS + 1) * 86_400_000);
    const removed = await abusePrivacy.retention!(db(), { now: later, site: { id: site.id, retentionDays: 365, rejectedRetentionDays: 30 } });
    expect(removed.abuseSamples).toBe(MATURE_AT);
    expect(await due()).toContain(site.id);
  }, 60_000);
});

describe('on two instances sharing a PostgreSQL database', () => {
  itOnPostgres('a fit made by one instance judges the next post on the other', async () => {
    const one = await startTestParley({ TRUST_PROXY: 'true', PARLEY_RATE_LIMITS: 'off' });
    const two = await startTestParley({ TRUST_PROXY: 'true', PARLEY_RATE_LIMITS: 'off' }, { keepData: true });
    try {
      const { thread } = await seedMatureSite(one.database.db, one.app.deps.clock.now());
      // The second instance holds the site's model in memory, without a regression yet.
      const before = await call(two, 'post', `/threads/${thread.id}/comments`, { body: texts(SPAM_WORDS, 1, 10)[0] }, { ip: '198.51.100.40' });
      expect(before.body.comment.status).toBe('approved');
      expect(await fitRegressions({ db: one.database.db, clock: one.app.deps.clock })).toBe(1);
      const after = await call(two, 'post', `/threads/${thread.id}/comments`, { body: texts(SPAM_WORDS, 1, 11)[0] }, { ip: '198.51.100.41' });
      expect(after.body.comment.status).toBe('pending');
    } finally {
      await two.close();
      await one.close();
    }
  }, 60_000);
});
