import fs from 'node:fs';
import { SaxesParser } from 'saxes';
import { ImportFileError } from './import.errors';

/**
 * A streaming walk over an XML file: the file is read in chunks, decoded, and fed to saxes; only the
 * text of elements a format asks for is kept, and only up to the size it allows, so memory depends
 * on the largest record, never on the file. After each chunk `afterChunk` runs and is awaited before
 * the next chunk is read: that is where records are written, so a slow database slows the reading
 * (backpressure) instead of letting records pile up.
 */
export interface XmlHandlers {
  /** Characters of text to keep for the element at `path` (local names), or 0 to ignore it. */
  collect(path: readonly string[]): number;
  open?(path: readonly string[], attributes: Record<string, string>, line: number): void;
  close(path: readonly string[], text: string, info: { line: number; overflow: boolean; attributes: Record<string, string> }): void;
}

interface Frame {
  name: string;
  line: number;
  limit: number;
  parts: string[];
  length: number;
  overflow: boolean;
  attributes: Record<string, string>;
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

function localAttributes(attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) out[local(name)] = value;
  return out;
}

/** The encoding named by the XML declaration or a byte-order mark; UTF-8 otherwise. */
function detectEncoding(head: Buffer): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const decl = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head.toString('latin1', 0, 300));
  return decl ? decl[1].toLowerCase() : 'utf-8';
}

export interface ReadXmlOptions {
  afterChunk?: (bytesRead: number) => Promise<void> | void;
  highWaterMark?: number;
}

export async function readXml(file: string, handlers: XmlHandlers, options: ReadXmlOptions = {}): Promise<void> {
  const parser = new SaxesParser({ position: true });
  const stack: Frame[] = [];
  const path: string[] = [];

  const append = (text: string) => {
    const top = stack[stack.length - 1];
    if (!top || top.limit === 0 || top.overflow) return;
    if (top.length + text.length > top.limit) {
      top.overflow = true;
      top.parts = [];
      return;
    }
    top.parts.push(text);
    top.length += text.length;
  };
  parser.on('text', append);
  parser.on('cdata', append);
  // The line where a tag starts (saxes reports the line where it ends, which may be further down).
  let tagLine = 1;
  parser.on('opentagstart', () => {
    tagLine = parser.line;
  });
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    path.push(name);
    const attributes = localAttributes(tag.attributes as Record<string, string>);
    const line = tagLine;
    stack.push({ name, line, limit: handlers.collect(path), parts: [], length: 0, overflow: false, attributes });
    handlers.open?.(path, attributes, line);
  });
  parser.on('closetag', () => {
    const frame = stack.pop()!;
    handlers.close(path, frame.parts.join(''), { line: frame.line, overflow: frame.overflow, attributes: frame.attributes });
    path.pop();
  });

  const feed = (text: string | null) => {
    try {
      if (text === null) parser.close();
      else parser.write(text);
    } catch (err) {
      if (err instanceof ImportFileError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const m = /^(\d+):(\d+): (.*)$/s.exec(message);
      // Only saxes' own errors ("line:column: message") describe the file; anything else is a bug.
      if (m) throw new ImportFileError(`the XML is not well-formed: ${m[3].replace(/\.$/, '')}`, Number(m[1]), Number(m[2]) + 1);
      throw err;
    }
  };

  let stream: fs.ReadStream;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    stream = fs.createReadStream(file, { highWaterMark: options.highWaterMark ?? 64 * 1024 });
  } catch (err) {
    throw new ImportFileError(`cannot read the file ${file}: ${(err as Error).message}`);
  }
  let decoder: TextDecoder | undefined;
  let bytesRead = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (!decoder) {
      const start = chunk.toString('latin1', 0, 64).replace(/^(\uFEFF|\u00EF\u00BB\u00BF|\u00FF\u00FE|\u00FE\u00FF)/, '').trimStart();
      if (start && !start.startsWith('<') && !start.startsWith('\u0000<')) {
        throw new ImportFileError('this is not an XML file: it does not start with "<"', 1);
      }
      const encoding = detectEncoding(chunk);
      try {
        decoder = new TextDecoder(encoding, { fatal: true });
      } catch {
        throw new ImportFileError(`the file declares the encoding "${encoding}", which Parley cannot read; convert it to UTF-8`, 1);
      }
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // Count the lines before the first undecodable byte, so the error points at it.
      const prefix = new TextDecoder(decoder.encoding).decode(chunk).split('\uFFFD')[0];
      const line = parser.line + (prefix.match(/\n/g)?.length ?? 0);
      throw new ImportFileError(`the file is not valid ${decoder.encoding} text (a byte sequence cannot be decoded)`, line);
    }
    bytesRead += chunk.length;
    feed(text);
    await options.afterChunk?.(bytesRead);
  }
  if (!decoder) throw new ImportFileError('the file is empty', 1);
  try {
    feed(decoder.decode());
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError('the file ends in the middle of a character', parser.line);
  }
  feed(null);
  await options.afterChunk?.(bytesRead);
}
