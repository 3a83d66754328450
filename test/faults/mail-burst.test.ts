import type pg from 'pg';
import { type Proc, startProc } from '../bench/procs';
import { describeOnPostgres } from '../helpers/db';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { freshDatabase } from './database';

/**
 * A 1,000-mail burst shared by two instances, one of them killed (SIGKILL) in the middle: once it is
 * started again, every mail has arrived (counted by distinct Message-ID), and a mail arrives twice
 * only when its send was in flight at the kill, under the same Message-ID.
 */
const BURST = 1000;

describeOnPostgres('outbox: SIGKILL during a mail burst', () => {
  let smtp: TestSmtp;
  let admin: pg.Client;
  let url: string;
  const procs: Proc[] = [];

  beforeAll(async () => {
    smtp = await startTestSmtp();
    ({ url, admin } = await freshDatabase(process.env.DATABASE_URL!, 'mail_burst'));
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await admin?.end();
    await smtp?.close();
  });

  const ids = () => smtp.mails.map((m) => m.headers['message-id']!);

  async function until(condition: () => boolean, what: string, ms = 240_000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${new Set(ids()).size} distinct mails`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('delivers every mail once the killed instance is back, repeating only sends in flight', async () => {
    await admin.query(`insert into sites (id, name, origins, settings) values ('burst', 'The Daily Example', '[]', '{}')`);
    // The burst as the outbox holds it: rendered mails, written by earlier changes.
    await admin.query(
      `insert into outbox (uid, kind, site_id, payload, next_attempt_at, created_at)
       select 'burst' || lpad(n::text, 11, '0'), 'mail', 'burst',
              jsonb_build_object('to', 'reader' || n || '@example.com', 'subject', 'Mail ' || n, 'text', 'Body ' || n,
                                 'unsubscribe', jsonb_build_object('url', 'https://parley.test/u', 'mailto', 'mailto:u@news.example')),
              now(), now()
       from generate_series(1, ${BURST}) n`,
    );
    const env = { DATABASE_URL: url, SMTP_URL: smtp.url, SMTP_FROM: 'Parley <mail@news.example>', PARLEY_RATE_LIMITS: 'off', NODE_ENV: 'test' };
    const [a, b] = await Promise.all([startProc('server/main.ts', env), startProc('server/main.ts', env)]);
    procs.push(a!, b!);
    await until(() => smtp.mails.length >= BURST * 0.3, 'a third of the burst');
    const exited = new Promise((r) => a!.child.once('exit', r));
    a!.child.kill('SIGKILL');
    await exited;
    const atKill = new Set(ids()).size;
    expect(atKill).toBeLessThan(BURST);

    // Started again with its clock past the dead instance's leases (PARLEY_TEST_CLOCK_OFFSET_MS),
    // as any instance would see them once their two minutes have run out. The survivor moves to
    // the same clock (stopped, its sends in flight finished, and started again beside it): two
    // instances five minutes apart would each read the other's live leases as run out, and the
    // one ahead would send again what the other is sending.
    await b!.stop();
    const later = { ...env, PARLEY_TEST_CLOCK_OFFSET_MS: String(5 * 60_000) };
    procs.push(...(await Promise.all([startProc('server/main.ts', later), startProc('server/main.ts', later)])));
    await until(() => new Set(ids()).size >= BURST, 'every mail');
    await new Promise((r) => setTimeout(r, 1000));

    const distinct = new Set(ids());
    expect(distinct.size).toBe(BURST);
    expect([...distinct].every((id) => /^<burst\d{11}@news\.example>$/.test(id))).toBe(true);
    const repeats = smtp.mails.length - distinct.size;
    // At most what the killed instance had claimed and not yet marked (its batch of 10).
    expect(repeats).toBeLessThanOrEqual(10);
    for (const mail of smtp.mails) {
      expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      expect(mail.subject).toBe(`Mail ${/^reader(\d+)@/.exec(mail.to[0]!)![1]}`);
    }
    const { rows } = await admin.query(`select count(*)::int as n from outbox where done_at is null`);
    expect(rows[0].n).toBe(0);
    console.log(`mail burst: ${distinct.size} distinct, ${repeats} repeated, ${atKill} delivered before the kill`);
  }, 300_000);
});
