import fc from 'fast-check';
import { raw, type JsonNode } from './json-text';

/** Characters that trip up storage, normalisation, regexes or display. */
export const ODD_CHARS = [
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\u0000', // NUL
  '\u202e', // right-to-left override
  '\u200f', // right-to-left mark
  '\u200d', // zero-width joiner
  '\u200b', // zero-width space
  '\u0301', // combining acute accent
  '\ufeff', // byte order mark
  '\u2028', // line separator
  '\u00a0', // no-break space
  '\uffff',
  '\u{10ffff}',
  '😀',
  '👩‍👩‍👧',
  '\t',
  '\n',
  '\\',
  '"',
  "'",
  '%00',
  '%zz',
  '${x}',
  '<script>',
  'İ',
  'ß',
] as const;

const oddChar = fc.constantFrom(...ODD_CHARS);

/** 0 to `max` characters of one repeated piece (cut anywhere, so a surrogate pair may be split). */
export const longString = (max = 40_000): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('a', 'é', 'e\u0301', '😀', ' ', 'ab cd ', '\u202e', 'x\u0000'), fc.integer({ min: 0, max }))
    .map(([piece, n]) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n));

/** Strings a validator or database might not expect. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  oddChar,
  fc.array(fc.oneof(oddChar, fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom('', ' ', '  x  ', 'null', 'undefined', 'true', '0', '-1', 'NaN', '1e309', '2024-02-30', '9999-99-99T99:99:99Z', '..', '/', 'a/b'),
  longString(),
);

/** Number literals as JSON text: huge, tiny, negative zero, beyond double range (parses as Infinity), beyond 2^53. */
export const NUMBER_TEXTS = [
  '1e308',
  '-1e308',
  '1e309',
  '-1e309',
  '-0',
  '-0.0',
  '1.5e-300',
  '5e-324',
  '12345678901234567890',
  '-12345678901234567890',
  '9007199254740993',
  '2147483647',
  '2147483648',
  '-2147483649',
  '0',
  '1',
  '-1',
  '0.1',
  '1.0',
  '1E+2',
  '0.30000000000000004',
] as const;

export const oddNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NUMBER_TEXTS),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
);

/** Nested `depth` levels deep around `inner`: `[[[…]]]` or `{"a":{"a":…}}`. */
export function nested(depth: number, as: 'array' | 'object', inner: string): string {
  return as === 'array' ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}

/** JSON values of the wrong kind for almost any element, as nodes. */
export const oddValue: fc.Arbitrary<JsonNode> = fc.oneof(
  oddString.map((s) => raw(JSON.stringify(s))),
  oddNumberText.map(raw),
  fc.constantFrom('true', 'false', 'null', '[]', '{}', '[null]', '[[]]', '{"":null}', '[1,"a",true]', '{"value":"x"}').map(raw),
  fc.tuple(fc.integer({ min: 50, max: 200 }), fc.constantFrom('array' as const, 'object' as const)).map(([depth, as]) => raw(nested(depth, as, '1'))),
  fc
    .tuple(fc.integer({ min: 1000, max: 5000 }), fc.constantFrom('1', '"x"', 'null', '{}'))
    .map(([n, item]) => raw(`[${Array.from({ length: n }, () => item).join(',')}]`)),
);

/** Element names every JavaScript object answers to, and other names no schema defines. */
export const ODD_KEYS = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'prototype',
  'then',
  'length',
  '_',
  '$ref',
  'resourceType',
  'id',
  'extension',
] as const;

/** An object key: a JavaScript built-in, an unknown name, or an odd string. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_KEYS),
  fc.stringMatching(/^[a-z][A-Za-z0-9]{0,12}$/),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.array(oddChar, { minLength: 1, maxLength: 3 }).map((cs) => `k${cs.join('')}`),
);

/** Whether a client can name this key in a field path the server echoes (no NUL, no lone surrogate, not empty). */
export function isNameable(key: string): boolean {
  return key !== '' && !key.includes('\u0000') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key);
}
