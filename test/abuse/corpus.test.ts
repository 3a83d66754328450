import { mailBody } from '../../scripts/corpus';
import { prune } from '../../scripts/train-base-model';
import { emptyCounts, learn } from '../../server/abuse/bayes';
import { featuresOf } from '../../server/abuse/features';

/** The evaluation's public corpus reads each mail as the text its reader sees (scripts/corpus.ts). */
describe('the evaluation corpus', () => {
  const mail = (headers: string, body: string) => `From: someone@example.com\nSubject: hello\n${headers}\n\n${body}`;

  it('decodes a base64 text part rather than keeping only the list footer after it', () => {
    const text = Buffer.from('For the men: there are married women looking for some fun tonight.').toString('base64');
    const raw = mail(
      'Content-Type: multipart/mixed; boundary="b1"',
      `--b1\nContent-Type: text/plain; charset="iso-8859-1"\nContent-Transfer-Encoding: base64\n\n${text}\n--b1--\nThis list is sponsored by: Example.`,
    );
    expect(mailBody(raw)).toContain('married women looking for some fun');
  });

  it('reads quoted-printable in its charset, keeps the plain version of an alternative and drops attachments', () => {
    const raw = mail(
      'Content-Type: multipart/mixed; boundary="outer"',
      [
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain; charset="iso-8859-1"',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Un caf=E9 cr=E8me, s=27il vous pla=EEt.',
        '--inner',
        'Content-Type: text/html',
        '',
        '<p>The same, as HTML</p>',
        '--inner--',
        '--outer',
        'Content-Type: image/gif; name="a.gif"',
        'Content-Transfer-Encoding: base64',
        '',
        'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
        '--outer--',
      ].join('\n'),
    );
    expect(mailBody(raw)).toBe("Un café crème, s'il vous plaît.");
  });
});

describe('the shipped model', () => {
  it('leaves link domains and shapes to each site: in mail any price is suspect, in comments it is not', () => {
    const counts = emptyCounts();
    for (let i = 0; i < 10; i++) learn(counts, featuresOf(`SAVE $${i}99 NOW!!! cheap offer at http://deals-${i % 2}.example.com`), 'spam');
    for (let i = 0; i < 10; i++) learn(counts, featuresOf(`the meeting notes from monday are attached, item ${i}`), 'ham');
    const kept = prune(counts).map(([f]) => f);
    expect(kept).toEqual(expect.arrayContaining(['cheap', 'offer']));
    expect(kept.filter((f) => f.startsWith('s:') || f.startsWith('d:'))).toEqual([]);
  });
});
