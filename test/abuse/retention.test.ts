import { abusePrivacy, FINGERPRINT_HOURS, SAMPLE_DAYS } from '../../server/abuse/abuse.privacy';
import { buildComment, buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';

const parley = useParley();
const HOUR_MS = 3_600_000;

describe('abuse retention', () => {
  it('forgets fingerprints and samples past their time on the site, and keeps the rest and other sites’', async () => {
    const db = parley.db;
    const now = new Date('2026-12-06T12:00:00Z');
    const [site, other] = [await buildSite(db), await buildSite(db)];
    const rows = [];
    for (const [s, ageHours] of [[site, FINGERPRINT_HOURS + 1], [site, FINGERPRINT_HOURS - 1], [other, FINGERPRINT_HOURS + 1]] as const) {
      const thread = await buildThread(db, s.id);
      const comment = await buildComment(db, thread, { status: 'approved' });
      const at = new Date(now.getTime() - ageHours * HOUR_MS);
      await db
        .insertInto('abuse_fingerprints')
        .values({ comment_id: comment.id, site_id: s.id, thread_id: thread.id, commenter_id: null, ip_hash: null, band0: 1, band1: 2, band2: 3, band3: 4, created_at: at })
        .execute();
      // Samples are kept longer: one past SAMPLE_DAYS, the others within.
      const sampleAt = ageHours > FINGERPRINT_HOURS && s === site ? new Date(now.getTime() - (SAMPLE_DAYS * 24 + 1) * HOUR_MS) : at;
      await db
        .insertInto('abuse_samples')
        .values({ comment_id: comment.id, site_id: s.id, commenter_id: null, label: 'ham', features: JSON.stringify(['w:hello']), created_at: sampleAt })
        .execute();
      rows.push(comment.id);
    }
    const counts = await abusePrivacy.retention!(db, { now, site: { id: site.id, retentionDays: 30, rejectedRetentionDays: 7 } });
    expect(counts).toEqual({ abuseFingerprints: 1, abuseSamples: 1 });
    const prints = await db.selectFrom('abuse_fingerprints').select('comment_id').orderBy('comment_id').execute();
    expect(prints.map((p) => p.comment_id).sort()).toEqual([rows[1], rows[2]].sort());
    const samples = await db.selectFrom('abuse_samples').select('comment_id').execute();
    expect(samples.map((p) => p.comment_id).sort()).toEqual([rows[1], rows[2]].sort());
  });
});
