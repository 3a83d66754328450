/**
 * Imports a generated WordPress export of the given size through the real `parley` command and
 * samples the process's memory while it runs. The file goes to a temporary directory and is removed.
 *
 *   node --import tsx test/perf/wxr-memory.ts [megabytes=50]
 *   node --import tsx test/perf/wxr-memory.ts 50 --generate-only /tmp/big.xml   (just write the file)
 *
 * Uses DATABASE_URL when set (the database must exist and will get a site "perf"), otherwise a fresh
 * embedded database in a temporary directory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const megabytes = Number(process.argv[2] ?? 50);
const root = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-perf-'));
const generateOnly = process.argv[3] === '--generate-only' ? process.argv[4] : undefined;
const file = generateOnly ?? path.join(dir, 'big.wxr.xml');

const words = 'regulator fine privacy biometric consent data erase request court sovereignty scraping template enforcement'.split(' ');
function paragraph(seed: number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += words[(seed * 7 + i * 13) % words.length] + (i % 12 === 11 ? '. ' : ' ');
  return out.trim();
}
const cdata = (s: string) => `<![CDATA[${s}]]>`;

async function generate(): Promise<{ comments: number; posts: number }> {
  const out = fs.createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Perf</title><link>https://perf.example</link><wp:wxr_version>1.2</wp:wxr_version>
`);
  let id = 1;
  let posts = 0;
  while (out.bytesWritten + out.writableLength < megabytes * 1_048_576) {
    posts++;
    await write(`<item><title>${cdata(`Article ${posts}`)}</title><link>https://perf.example/articles/${posts}/</link>
<content:encoded>${cdata(`<p>${paragraph(posts, 400)}</p>`)}</content:encoded><wp:post_id>${posts}</wp:post_id>
<wp:post_date_gmt>${cdata('2023-05-17 09:00:00')}</wp:post_date_gmt><wp:comment_status>${cdata('open')}</wp:comment_status><wp:post_type>${cdata('post')}</wp:post_type>
`);
    const first = id;
    for (let i = 0; i < 25; i++, id++) {
      // Every third comment answers an earlier one; some answer one that comes later in the file.
      const parent = i % 3 === 2 ? id - 1 : i % 7 === 6 && i < 24 ? id + 1 : 0;
      const minute = String(i % 60).padStart(2, '0');
      await write(`<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author>${cdata(`Reader ${id % 5000}`)}</wp:comment_author>
<wp:comment_author_email>${cdata(`reader${id % 5000}@example.com`)}</wp:comment_author_email><wp:comment_author_url>${cdata('https://reader.example/')}</wp:comment_author_url>
<wp:comment_author_IP>${cdata('203.0.113.9')}</wp:comment_author_IP><wp:comment_date_gmt>${cdata(`2023-05-17 10:${minute}:00`)}</wp:comment_date_gmt>
<wp:comment_content>${cdata(`${paragraph(id, 80)}\n\n<em>${paragraph(id + 1, 40)}</em> &amp; <a href="https://ok.example/${id}">a link</a>`)}</wp:comment_content>
<wp:comment_approved>${cdata(i % 11 === 10 ? '0' : '1')}</wp:comment_approved><wp:comment_type>${cdata('comment')}</wp:comment_type>
<wp:comment_parent>${parent >= first ? parent : 0}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>
`);
    }
    await write('</item>\n');
  }
  await write('</channel>\n</rss>\n');
  await new Promise<void>((r) => out.end(() => r()));
  return { comments: id - 1, posts };
}

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; peakRss: number; ms: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(root, 'bin/parley.js'), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const sample = () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
        peak = Math.max(peak, hwm * 1024);
      } catch {
        // the process has exited
      }
    };
    const timer = setInterval(sample, 100);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, peakRss: peak, ms: Date.now() - started, stdout, stderr });
    });
  });
}

(async () => {
  const generated = await generate();
  if (generateOnly) {
    process.stdout.write(`${generateOnly}: ${fs.statSync(file).size} bytes, ${generated.comments} comments\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  const size = fs.statSync(file).size;
  const env: Record<string, string> = process.env.DATABASE_URL ? {} : { DATABASE_URL: '', DATA_DIR: path.join(dir, 'data') };
  await run(['sites:create', 'perf', '--name', 'Perf'], env);
  const result = await run(['import', file, '--site', 'perf', '--format', 'wxr'], env);
  const again = await run(['import', file, '--site', 'perf', '--format', 'wxr'], env);
  const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;
  process.stdout.write(
    `file: ${mb(size)}, ${generated.posts} posts, ${generated.comments} comments; database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded (PGlite)'}\n` +
      `import: exit ${result.code}, ${(result.ms / 1000).toFixed(1)} s, peak RSS ${mb(result.peakRss)}\n` +
      `re-import (no-op): exit ${again.code}, ${(again.ms / 1000).toFixed(1)} s, peak RSS ${mb(again.peakRss)}\n` +
      result.stdout.split('\n').slice(0, 4).join('\n') + '\n' + (result.code ? result.stderr : '') +
      again.stdout.split('\n').slice(0, 3).join('\n') + '\n',
  );
  fs.rmSync(dir, { recursive: true, force: true });
})();
