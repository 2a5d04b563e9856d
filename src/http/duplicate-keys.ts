/** One open object or array while scanning. */
type Frame = { kind: 'object'; keys: Set<string>; key?: string; expectingKey: boolean } | { kind: 'array'; index: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * How many members the objects of a JSON text have, repeated names included: each is one colon
 * outside a string. Equal to the parsed value's own key count exactly when no object repeats a
 * name, so most bodies never need `findDuplicateKey`. Takes the text as parsed, or its UTF-8
 * bytes read as latin1 (a multi-byte character never holds a quote, backslash or colon).
 */
export function countMembers(text: string): number {
  let members = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = closingQuote(text, i);
    else if (c === COLON) members += 1;
  }
  return members;
}

/** The index of the quote that closes the string opening at `start`: the next one not escaped by an odd run of backslashes. */
function closingQuote(text: string, start: number): number {
  let at = text.indexOf('"', start + 1);
  while (at !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return text.length;
}

/**
 * The path (`name[0].family`) of the first member whose name repeats an earlier member of the
 * same object — JSON.parse would silently keep the last one. Scans the UTF-8 bytes as received
 * (JSON's structural characters are ASCII, which never occurs inside a multi-byte character),
 * so no second copy of the body is made. Meant for text that parses; on anything else the
 * answer is meaningless and the parser reports the error.
 */
export function findDuplicateKey(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.kind === 'object' && top.expectingKey) {
        const raw = text.toString('utf8', i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) return pathOf(stack, key);
        top.keys.add(key);
        top.key = key;
        top.expectingKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      stack.push({ kind: 'object', keys: new Set(), expectingKey: true });
    } else if (c === 0x5b /* [ */) {
      stack.push({ kind: 'array', index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */ && top) {
      if (top.kind === 'object') top.expectingKey = true;
      else top.index += 1;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: Uint8Array, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i;
    else i += 1;
  }
  return i;
}

function pathOf(stack: readonly Frame[], key: string): string {
  const parts = stack.slice(0, -1).map((frame) => (frame.kind === 'array' ? `[${frame.index}]` : `.${frame.key}`));
  return `${parts.join('')}.${key}`.replace(/^\./, '');
}
