import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Proc, startProc } from '../bench/procs';

/**
 * Embedded mode under SIGKILL: every comment the server acknowledged (201) must be there after a
 * restart, exactly once, and the restart must not be blocked by the dead process's lock.
 */
describe('embedded database: SIGKILL during writes', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-kill-'));
  let proc: Proc | undefined;
  afterAll(async () => {
    await proc?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function demoThreadId(url: string): Promise<string> {
    const res = await fetch(`${url}/api/v1/threads/resolve`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ site: 'demo', key: 'naked-security-clearview' }),
    });
    return ((await res.json()) as { thread: { id: string } }).thread.id;
  }

  async function allBodies(url: string, threadId: string): Promise<string[]> {
    const bodies: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await fetch(`${url}/api/v1/threads/${threadId}/comments?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await res.json()) as { items: Array<{ bodyHtml: string }>; nextCursor: string | null };
      bodies.push(...page.items.map((c) => c.bodyHtml));
      cursor = page.nextCursor;
    } while (cursor);
    return bodies;
  }

  it('keeps every acknowledged comment across three kills', async () => {
    const env = { DATA_DIR: dataDir, DATABASE_URL: '', PARLEY_RATE_LIMITS: 'off' };
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      proc = await startProc('server/main.ts', env);
      const threadId = await demoThreadId(proc.url);
      const current = proc;
      let stop = false;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          // Under six words: the abuse check does not compare such short texts across readers, and
          // these differ in a digit only (a longer one would be sent to spam, and not listed, after a few).
          const text = `fault round-${round} writer-${w} comment-${i}`;
          try {
            const res = await fetch(`${current.url}/api/v1/threads/${threadId}/comments`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ body: text }),
            });
            if (res.status === 201) acknowledged.push(text);
          } catch {
            return; // the server died mid-request: this write was never acknowledged
          }
        }
      });
      await new Promise((r) => setTimeout(r, 1500 + round * 300));
      // Listen before killing: the exit may come while the writers are still winding down.
      const exited = new Promise((r) => current.child.once('exit', r));
      current.child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await exited;
    }
    expect(acknowledged.length).toBeGreaterThan(10);

    proc = await startProc('server/main.ts', env);
    const bodies = await allBodies(proc.url, await demoThreadId(proc.url));
    const counts = new Map<string, number>();
    for (const b of bodies) {
      const text = b.replace(/<\/?p>/g, '');
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    const missing = acknowledged.filter((t) => counts.get(t) !== 1);
    expect(missing).toEqual([]);
  }, 180_000);
});
