import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function start(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'info', DATA_DIR: dataDir, PORT: '0' },
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
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, listening, exited, output: () => output };
}

const stop = (child: ChildProcess) => child.exitCode === null && child.kill('SIGTERM');

describe('the first start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-admin-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('creates an admin of the demo site and prints its password once, never again', async () => {
    const first = start(dataDir);
    try {
      const port = await first.listening;
      const match = /Password \(shown only this once\): (\S+)/.exec(first.output());
      expect(match).not.toBeNull();
      expect(first.output()).toContain('admin@localhost');
      // The JSON log line itself does not carry the password.
      const jsonLines = first.output().split('\n').filter((l) => l.startsWith('{'));
      expect(jsonLines.some((l) => l.includes(match![1]!))).toBe(false);

      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'admin@localhost', password: match![1] }),
      });
      expect(login.status).toBe(200);
      const body = (await login.json()) as { sites: Array<{ id: string; role: string }> };
      expect(body.sites).toEqual([expect.objectContaining({ id: 'demo', role: 'admin' })]);
      stop(first.child);
      expect(await first.exited).toBe(0);

      const second = start(dataDir);
      try {
        await second.listening;
        expect(second.output()).not.toMatch(/Password/);
      } finally {
        stop(second.child);
        await second.exited;
      }
    } finally {
      stop(first.child);
    }
  }, 120_000);
});
