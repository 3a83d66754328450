import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { call } from '../helpers/reader';

// The switch that measures what the abuse defence costs (npm run bench): off, none of it runs.
const parley = useParley({ PARLEY_ABUSE_CHECKS: 'off' });

describe('PARLEY_ABUSE_CHECKS=off', () => {
  it('scores no comment, asks for no proof of work, and keeps no fingerprint', async () => {
    const site = await buildSite(parley.db);
    const thread = await buildThread(parley.db, site.id);
    const challenge = await call(parley, 'get', `/threads/${thread.id}/challenge`);
    expect(challenge.status).toBe(200);
    expect(challenge.body).toEqual({ challenge: null });
    const res = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Buy cheap pills now at example dot com, best prices, fast delivery' });
    expect(res.status).toBe(201);
    const row = await parley.db.selectFrom('comments').select(['risk', 'risk_reasons', 'status']).where('id', '=', res.body.comment.id).executeTakeFirstOrThrow();
    expect(row.risk).toBeNull();
    expect(await parley.db.selectFrom('abuse_fingerprints').select('comment_id').execute()).toEqual([]);
  });
});
