import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Starts `server/main.ts` as `npm start` does and resolves once it listens. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    // This is the embedded-database path, whatever the test run itself uses.
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)/.exec(output);
      if (match && output.includes('listening')) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  listening.catch(() => {}); // a run expected to fail never listens
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, listening, exited, output: () => output };
}

function stop(child: ChildProcess) {
  if (child.exitCode === null) child.kill('SIGTERM');
}

describe('npm start on a fresh machine', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-start-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serves the demo thread from the embedded database, refuses a second process, and stops cleanly', async () => {
    const first = start({ DATA_DIR: dataDir, PORT: '0' });
    try {
      const port = await first.listening;
      const base = `http://127.0.0.1:${port}/api/v1`;
      const resolved = await fetch(`${base}/threads/resolve`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ site: 'demo', key: 'naked-security-clearview' }),
      });
      expect(resolved.status).toBe(200);
      const { thread } = (await resolved.json()) as { thread: { id: string; commentCount: number } };
      expect(thread.commentCount).toBeGreaterThan(20);
      const page = (await (await fetch(`${base}/threads/${thread.id}/comments?limit=1`)).json()) as { items: Array<{ bodyHtml: string }> };
      expect(page.items[0]!.bodyHtml).toContain('Off with their heads');

      const second = start({ DATA_DIR: dataDir, PORT: '0' });
      expect(await second.exited).not.toBe(0);
      expect(second.output()).toMatch(/in use by another Parley process/);

      stop(first.child);
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain('stopped cleanly');
    } finally {
      stop(first.child);
    }
  }, 90_000);

  it('refuses to start with bad configuration, listing every problem', async () => {
    const run = start({ DATA_DIR: dataDir, PORT: 'nope', DATABASE_URL: 'mysql://x' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/PORT/);
    expect(run.output()).toMatch(/DATABASE_URL/);
  }, 30_000);
});
