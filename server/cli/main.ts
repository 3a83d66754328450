import { Command, CommanderError } from 'commander';
import { AppError } from '../errors';
import { ImportFileError } from '../imports/import.errors';
import { CliError, type CliIo, type CliOptions, EXIT } from './context';
import { registerImports } from './commands/imports';
import { registerMembers } from './commands/members';
import { registerMigrate } from './commands/migrate';
import { registerRetention } from './commands/retention';
import { registerSites } from './commands/sites';

/**
 * `parley` (or `npm run parley -- …`): the operator's tool. It opens the same database as the
 * server (DATABASE_URL, or the embedded one in DATA_DIR: stop an embedded server first). Each command
 * group lives in its own file under commands/ and registers itself here with one line.
 */
export function buildProgram(io: CliIo, options: CliOptions = {}): Command {
  const program = new Command('parley')
    .description('Parley: comments and polls for news sites — the command-line tool')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', '\nExit codes: 0 done, 1 failed, 64 wrong usage, 65 the input file cannot be used.\n');
  registerMigrate(program, io, options);
  registerSites(program, io, options);
  registerMembers(program, io, options);
  registerImports(program, io, options);
  registerRetention(program, io, options);
  return program;
}

export async function runCli(argv: string[], io: CliIo = { out: process.stdout, err: process.stderr }, options: CliOptions = {}): Promise<number> {
  const program = buildProgram(io, options);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.err.write(`parley: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ImportFileError) {
      const file = argv.find((a, i) => i > 0 && argv[i - 1] === 'import') ?? 'the file';
      io.err.write(`parley: ${file}: ${err.message}\nNothing was imported: the database is as it was.\n`);
      return EXIT.badInput;
    }
    if (err instanceof AppError) {
      io.err.write(`parley: ${err.message}\n`);
      return EXIT.failure;
    }
    io.err.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failure;
  }
}

export function main(): void {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`parley: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}

if (require.main === module) main();
