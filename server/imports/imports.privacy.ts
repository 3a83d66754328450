import type { PrivacyExtension } from '../privacy/privacy.extension';

/**
 * What imports keep about a commenter: one reference per site from a hash of their email address to
 * their commenter id, so a later import files their comments under the same identity. Export shows
 * it; erasure removes it. The references to their imported comments stay: they hold only the other
 * system's comment ids, and they are what keeps a re-import from bringing erased comments back.
 */
export const importsPrivacy: PrivacyExtension = {
  name: 'imports',

  async export(db, subject) {
    let q = db
      .selectFrom('import_refs')
      .select(['site_id', 'created_at'])
      .where('kind', '=', 'commenter')
      .where('local_id', '=', subject.commenterId);
    if (subject.siteId) q = q.where('site_id', '=', subject.siteId);
    const rows = await q.orderBy('created_at').execute();
    return {
      imports: rows.map((r) => ({
        siteId: r.site_id,
        importedAt: r.created_at.toISOString(),
        kept: 'a one-way hash of your email address, linking comments imported from another comment system to you',
      })),
    };
  },

  async erase(uow, subject) {
    let q = uow.trx.deleteFrom('import_refs').where('kind', '=', 'commenter').where('local_id', '=', subject.commenterId);
    if (subject.siteId) q = q.where('site_id', '=', subject.siteId);
    const result = await q.executeTakeFirst();
    return { importReferences: Number(result.numDeletedRows) };
  },
};
