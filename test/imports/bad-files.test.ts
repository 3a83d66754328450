import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseHandle } from '../../server/db';
import { createEventBus } from '../../server/events';
import { ImportFileError } from '../../server/imports/import.errors';
import { importComments } from '../../server/imports/import.service';
import { openTestDatabase, resetDatabase } from '../helpers/db';
import { buildSite } from '../helpers/factories';
import { DISQUS, snapshot, WXR } from './helpers';

describe('a file that cannot be imported', () => {
  let database: DatabaseHandle;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bad-'));
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await resetDatabase(database);
  });

  const wxr = fs.readFileSync(WXR, 'utf8');
  const lines = wxr.split('\n');
  const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
  const cases: Array<{ what: string; format: 'wxr' | 'disqus'; content: string | Buffer; line: number; reason: RegExp }> = [
    {
      what: 'a file cut off in the middle',
      format: 'wxr',
      content: lines.slice(0, lineOf('<wp:comment_id>5010</wp:comment_id>') + 2).join('\n'),
      line: lineOf('<wp:comment_id>5010</wp:comment_id>') + 2,
      reason: /not well-formed: unclosed tag/,
    },
    {
      what: 'a tag closed in the wrong place',
      format: 'wxr',
      content: wxr.replace('<wp:comment_parent>0</wp:comment_parent>', '<wp:comment_parent>0</wp:comment_id>'),
      line: lineOf('<wp:comment_parent>0</wp:comment_parent>'),
      reason: /not well-formed: unexpected close tag/,
    },
    {
      what: 'a bare ampersand outside CDATA',
      format: 'wxr',
      content: wxr.replace('<link>https://nakedsecurity.sophos.com/about/</link>', '<link>https://nakedsecurity.sophos.com/?a=1&b=2</link>'),
      // saxes notices a broken entity only where it gives up, further down: the line is never earlier.
      line: -lineOf('<link>https://nakedsecurity.sophos.com/about/</link>'),
      reason: /not well-formed/,
    },
    {
      what: 'bytes that are not UTF-8',
      format: 'wxr',
      content: Buffer.concat([Buffer.from(lines.slice(0, 30).join('\n') + '\n<x>'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('</x>')]),
      line: 31,
      reason: /not valid utf-8/,
    },
    { what: 'a Disqus file read as WordPress', format: 'wxr', content: fs.readFileSync(DISQUS), line: 2, reason: /not a WordPress export.*use --format disqus/ },
    { what: 'a WordPress file read as Disqus', format: 'disqus', content: wxr, line: 5, reason: /not a Disqus export.*use --format wxr/ },
    { what: 'an empty file', format: 'wxr', content: '', line: 1, reason: /empty/ },
    { what: 'not XML at all', format: 'disqus', content: 'id,author,message\n1,Bob,hello\n', line: 1, reason: /not an XML file/ },
  ];

  it.each(cases)('$what: stops with the line and the reason, and the database is as it was', async ({ format, content, line, reason }) => {
    const site = await buildSite(database.db, { id: 'daily' });
    await importComments({ db: database.db, bus: createEventBus() }, { siteId: site.id, format: 'disqus', file: DISQUS });
    const file = path.join(dir, 'bad.xml');
    fs.writeFileSync(file, content);
    const before = await snapshot(database.db);
    const error = await importComments({ db: database.db, bus: createEventBus() }, { siteId: site.id, format, file, onProgress: () => {} }).catch((e) => e);
    expect(error).toBeInstanceOf(ImportFileError);
    if (line > 0) expect(error.line).toBe(line);
    else expect(error.line).toBeGreaterThanOrEqual(-line);
    expect(error.reason).toMatch(reason);
    expect(error.message).toMatch(new RegExp(`^line ${error.line}`));
    expect(await snapshot(database.db)).toEqual(before);
  });

  it('reads a file in the encoding its XML declaration names', async () => {
    const site = await buildSite(database.db, { id: 'daily' });
    const file = path.join(dir, 'latin1.xml');
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Café</title><link>https://daily.example/cafe/</link><wp:post_id>7</wp:post_id>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ren\u00e9e</wp:comment_author>
<wp:comment_date_gmt>2023-05-17 10:00:00</wp:comment_date_gmt><wp:comment_content>D\u00e9j\u00e0 vu, \u00e9t\u00e9 \u00e0 Paris</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment></item></channel></rss>`;
    fs.writeFileSync(file, Buffer.from(xml, 'latin1'));
    const report = await importComments({ db: database.db, bus: createEventBus() }, { siteId: site.id, format: 'wxr', file });
    expect(report.comments.total).toBe(1);
    const c = await database.db.selectFrom('comments').selectAll().executeTakeFirstOrThrow();
    expect(c.author_name).toBe('Renée');
    expect(c.body_html).toBe('<p>Déjà vu, été à Paris</p>');
  });

  it('a file that does not exist is named in the error', async () => {
    const site = await buildSite(database.db, { id: 'daily' });
    const error = await importComments({ db: database.db, bus: createEventBus() }, { siteId: site.id, format: 'wxr', file: path.join(dir, 'nope.xml') }).catch((e) => e);
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error.message).toMatch(/cannot read the file .*nope\.xml/);
  });
});
