import { Writable } from 'node:stream';
import { runCli } from '../../server/cli/main';
import type { DatabaseHandle } from '../../server/db';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Text written to a stream, kept. */
function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * The command line's own entry (what `bin/parley.js` calls with the process's arguments), run in
 * this process: the same parsing, commands and exit codes without starting a process. With a
 * `database`, the commands use it (left open); without, they open the configured one (DATABASE_URL,
 * or DATA_DIR) as the installed command does, or never reach one (help, wrong usage).
 */
export async function runInProcess(args: string[], database?: DatabaseHandle): Promise<Ran> {
  const out = sink();
  const err = sink();
  const code = await runCli(args, { out: out.stream, err: err.stream }, { database });
  return { code, stdout: out.text(), stderr: err.text() };
}
