import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** One request's worth of an input file. */
export interface Chunk {
  file: string;
  /** The file line the chunk's first line is (1-based): server line numbers are offset by it. */
  firstLine: number;
  /** Lines of the file the chunk covers, for progress. */
  lineCount: number;
  contentType: string;
  body: string;
}

/** Bytes per request at most, well inside the server's Bundle limit (BUNDLE_BODY_LIMIT, 50 MB by default). */
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * The chunks of one input file: NDJSON (`.ndjson`, one resource or Bundle a line) in groups of
 * `linesPerChunk` lines, streamed so that a file of any size is never held whole; any other file
 * is one JSON document (a Bundle, or a single resource) sent as it is.
 */
export async function* chunksOf(file: string, linesPerChunk: number): AsyncGenerator<Chunk> {
  if (!isNdjson(file)) {
    yield { file, firstLine: 1, lineCount: 1, contentType: 'application/fhir+json', body: await readFile(file, 'utf8') };
    return;
  }
  let lines: string[] = [];
  let bytes = 0;
  let firstLine = 1;
  let lineNumber = 0;
  const flush = (): Chunk => {
    const chunk = { file, firstLine, lineCount: lines.length, contentType: 'application/fhir+ndjson', body: lines.join('\n') };
    firstLine = lineNumber + 1;
    lines = [];
    bytes = 0;
    return chunk;
  };
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    lineNumber++;
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
    if (lines.length >= linesPerChunk || bytes >= MAX_CHUNK_BYTES) yield flush();
  }
  if (lines.length > 0) yield flush();
}

/** How many lines (NDJSON) or documents (JSON) the files hold, for progress and ETA. */
export async function countUnits(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) {
    if (!isNdjson(file)) {
      total += 1;
      continue;
    }
    for await (const _line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) total++;
  }
  return total;
}

const isNdjson = (file: string): boolean => /\.(ndjson|jsonl)$/i.test(file);
