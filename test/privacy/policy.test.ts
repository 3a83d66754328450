import { buildSite } from '../helpers/factories';

import { useParley } from '../helpers/parley';

const parley = useParley({ TRUST_PROXY: 'loopback' }, { capture: true });

describe('GET /privacy', () => {
  it('says in plain words what is kept, why and for how long, with the site’s own periods', async () => {
    await buildSite(parley.db, { id: 'daily', settings: { retentionDays: 14, rejectedRetentionDays: 60 } });
    await buildSite(parley.db, { id: 'weekly', settings: { retentionDays: 45 } });
    const res = await parley.http().get('/api/v1/privacy?site=daily');
    expect(res.status).toBe(200);
    const p = res.body.privacy;
    expect(p).toMatchObject({
      site: { id: 'daily', name: 'The Daily Example' },
      lang: 'en',
      title: 'Your data on The Daily Example',
      // Keys outlive the longest retention of any site on this server by a day.
      retention: { networkHashDays: 14, userAgentDays: 14, rejectedCommentDays: 60, networkKeyDays: 46 },
      actions: {
        export: { method: 'GET', path: '/api/v1/me/export' },
        erase: { method: 'DELETE', path: '/api/v1/me' },
        lostToken: { method: 'POST', path: '/api/v1/privacy/requests', delivery: 'admin' },
      },
    });
    expect(p.items.map((i: { id: string }) => i.id)).toEqual(['comments', 'email', 'network', 'browser', 'token', 'reactions', 'votes', 'abuse_defence', 'webhooks']);
    for (const item of p.items) {
      for (const field of ['title', 'what', 'why', 'howLong']) expect(item[field]).toEqual(expect.any(String));
    }
    const network = p.items.find((i: { id: string }) => i.id === 'network');
    expect(network.what).toMatch(/Never your IP address/);
    expect(network.howLong).toMatch(/after 14 days.*after 46 days/);
    expect(p.items.find((i: { id: string }) => i.id === 'comments').howLong).toMatch(/after 60 days/);
    expect(p.rights.map((r: { id: string }) => r.id)).toEqual(['export', 'erase', 'lost_token']);
    expect(p.never.join(' ')).toMatch(/No cookies/);
  });

  it('speaks French by ?lang= or by the site’s locale', async () => {
    await buildSite(parley.db, { id: 'quotidien', settings: { locale: 'fr', retentionDays: 1 } });
    await buildSite(parley.db, { id: 'daily' });
    const fr = (await parley.http().get('/api/v1/privacy?site=quotidien')).body.privacy;
    expect(fr).toMatchObject({ lang: 'fr', title: 'Vos données sur The Daily Example' });
    expect(fr.items.find((i: { id: string }) => i.id === 'network').howLong).toMatch(/^Effacée de vos commentaires après 1 jour\./);
    const asked = (await parley.http().get('/api/v1/privacy?site=daily&lang=fr')).body.privacy;
    expect(asked.lang).toBe('fr');
    expect(asked.rights[1].title).toBe('Effacer vos données');
    const en = (await parley.http().get('/api/v1/privacy?site=quotidien&lang=en')).body.privacy;
    expect(en.lang).toBe('en');
  });

  it('answers 404 for an unknown site and 400 for a bad query', async () => {
    expect((await parley.http().get('/api/v1/privacy?site=nope')).status).toBe(404);
    const bad = await parley.http().get('/api/v1/privacy?site=daily&lang=de');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('lang');
    expect((await parley.http().get('/api/v1/privacy')).status).toBe(400);
  });
});
