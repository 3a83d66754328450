import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { oncePerProcess } from '../../client/build';

/**
 * The widget's and the dashboard's builds are made once per process and shared by every Parley in
 * it; a test runner in watch mode keeps its processes between runs, so an edited source must still
 * give a new build.
 */
describe('a build made once per process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-build-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is reused while its sources are unchanged, made again when one changes, and tried again after a failure', async () => {
    const source = path.join(dir, 'embed.ts');
    fs.writeFileSync(source, 'export const a = 1;\n');
    let builds = 0;
    let fail = false;
    const build = oncePerProcess(
      `test-${process.pid}-${Date.now()}`,
      async () => {
        builds++;
        if (fail) throw new Error('broken source');
        return fs.readFileSync(source, 'utf8');
      },
      dir,
    );
    expect(await build()).toBe('export const a = 1;\n');
    expect(await build()).toBe('export const a = 1;\n');
    expect(builds).toBe(1);

    fs.writeFileSync(source, 'export const a = 2;\n');
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(source, later, later);
    expect(await build()).toBe('export const a = 2;\n');
    expect(builds).toBe(2);

    fail = true;
    fs.utimesSync(source, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
    await expect(build()).rejects.toThrow('broken source');
    fail = false;
    expect(await build()).toBe('export const a = 2;\n');
    expect(builds).toBe(4);
  });
});
