import fs from 'node:fs';

/**
 * A file Parley cannot import as it stands: the reason is for a person, with the line (and column
 * when known) where the problem is, so they can open the file and look. The import that met it
 * leaves the database exactly as it was.
 */
export class ImportFileError extends Error {
  constructor(
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line ? `line ${line}${column !== undefined ? `, column ${column}` : ''}: ${reason}` : reason);
    this.name = 'ImportFileError';
  }
}

/** The size of the file to import, or an ImportFileError that names it and says why it cannot be read. */
export async function importFileSize(file: string): Promise<number> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch (err) {
    throw new ImportFileError(`cannot read the file ${file}: ${(err as Error).message}`);
  }
}
