import v8 from 'node:v8';
import vm from 'node:vm';
import { sql } from 'kysely';
import { buildSite, buildThread, postComment, SITE_ORIGIN } from '../helpers/factories';
import { startTestParley, type TestParley, useParley } from '../helpers/parley';
import { connected } from '../realtime/helpers';

/** One sample's value from Prometheus's text format, by its name and labels as written. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  const parley = useParley();

  it('answers in Prometheus format with the process, the database and live connections', async () => {
    await buildSite(parley.db);
    const socket = await connected(parley.url, { origin: SITE_ORIGIN });
    try {
      const res = await parley.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(sample(res.text, 'parley_process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(sample(res.text, 'parley_database_up')).toBe(1);
      expect(sample(res.text, 'parley_live_connections')).toBe(1);
    } finally {
      socket.disconnect();
    }
  });

  it('counts answers by route template and status, never by id or query', async () => {
    const site = await buildSite(parley.db);
    const thread = await buildThread(parley.db, site.id);
    expect((await postComment(parley, thread.id, { body: 'Counted once, under its route.' })).status).toBe(201);
    await parley.http().get(`/api/v1/threads/${thread.id}/comments?limit=5`).expect(200);
    await parley.http().get(`/api/v1/threads/${thread.id}/comments`).expect(200);
    await parley.http().get('/api/v1/no-such-thing/abc123').expect(404);

    const { text } = await parley.http().get('/metrics').expect(200);
    const series = (method: string, route: string, status: number) =>
      `parley_http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`;
    expect(sample(text, series('POST', '/api/v1/threads/:threadId/comments', 201))).toBe(1);
    expect(sample(text, series('GET', '/api/v1/threads/:threadId/comments', 200))).toBe(2);
    expect(sample(text, series('GET', 'unmatched', 404))).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(thread.id);
    expect(text).not.toContain('abc123');
    expect(text).not.toContain('limit=5');
  });

  it('shows the outbox backlog and what was given up, by kind', async () => {
    const site = await buildSite(parley.db);
    const later = new Date(Date.now() + 3_600_000);
    const row = (uid: string, failed: boolean) => ({
      uid,
      kind: 'webhook',
      site_id: site.id,
      payload: JSON.stringify({}),
      next_attempt_at: later,
      created_at: new Date(),
      failed_at: failed ? new Date() : null,
    });
    await parley.db.insertInto('outbox').values([row('m-1', false), row('m-2', false), row('m-3', true)]).execute();
    const { text } = await parley.http().get('/metrics').expect(200);
    expect(sample(text, 'parley_outbox_pending{kind="webhook"}')).toBe(2);
    expect(sample(text, 'parley_outbox_failed{kind="webhook"}')).toBe(1);
    await sql`delete from outbox`.execute(parley.db);
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  it('asks for the token, and answers with it', async () => {
    const parley = await startTestParley({ METRICS_TOKEN: 'a-long-enough-metrics-token' });
    try {
      const refused = await parley.http().get('/metrics').expect(401);
      expect(refused.body.error.code).toBe('unauthorized');
      await parley.http().get('/metrics').set('Authorization', 'Bearer not-the-token').expect(401);
      const res = await parley.http().get('/metrics').set('Authorization', 'Bearer a-long-enough-metrics-token').expect(200);
      expect(sample(res.text, 'parley_database_up')).toBe(1);
    } finally {
      await parley.close();
    }
  });
});

describe('/metrics of several apps in one process', () => {
  /** A full collection, asked of V8 directly (Jest's workers run without --expose-gc). */
  function collectGarbage(): void {
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
  }

  async function expectProcessFigures(parley: TestParley): Promise<void> {
    const { text } = await parley.http().get('/metrics').expect(200);
    expect(sample(text, 'parley_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('parley_nodejs_eventloop_lag_seconds');
  }

  /** Scrapes an app's figures, closes it, and keeps only weak references to it and its live server. */
  async function scrapeAndClose(parley: TestParley): Promise<Array<WeakRef<object>>> {
    await expectProcessFigures(parley);
    await parley.close();
    return [parley.app, parley.app.realtime.io].map((part) => new WeakRef(part));
  }

  it('gives each its process figures, and an app that closed is collected whole', async () => {
    const first = await startTestParley();
    let gone: Array<WeakRef<object>>;
    try {
      gone = await scrapeAndClose(await startTestParley({}, { database: first.database }));
      await expectProcessFigures(first);
    } finally {
      await first.close();
    }
    // The process's collectors (an observer of the collector's pauses, a monitor of the event loop)
    // cannot be stopped: made for each app, they kept it and all it referenced for the process's life.
    // A scrape's time limits held it too, for a second after their answer.
    await new Promise((resolve) => setTimeout(resolve, 100));
    collectGarbage();
    expect(gone!.map((part) => part.deref() !== undefined)).toEqual([false, false]);
  });
});
