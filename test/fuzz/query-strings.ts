import { parse } from 'node:querystring';
import fc from 'fast-check';
import { longString, NUMBER_TEXTS, oddKey, oddString } from './odd-values';

/*
 * Query strings written byte for byte: names and values percent-encoded as UTF-8 (a lone
 * surrogate as its invalid 3-byte form), with raw pieces spliced in that no encoder makes —
 * `%00`, `%zz`, a lone `%`, a truncated escape, overlong UTF-8 — and repeated names.
 */

/** A lone surrogate has no UTF-8 form: write the bytes of its code point anyway (`%ED%A0%80`), which a decoder must refuse or replace. */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (/^[A-Za-z0-9\-._~]$/.test(ch)) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff)
      out += `%${(0xe0 | (cp >> 12)).toString(16)}%${(0x80 | ((cp >> 6) & 0x3f)).toString(16)}%${(0x80 | (cp & 0x3f)).toString(16)}`.toUpperCase();
    else out += [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** Bytes no encoder writes, and characters a query string treats specially. */
export const RAW_PIECES = [
  '%00',
  '%zz',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '%2',
  '+',
  '%2B',
  '%26',
  '%3D',
  '%25',
  ';',
  '[',
  ']',
  '[$ne]',
  '[]',
  '%5B%5D',
  ',',
  '|',
  '\\',
  "'",
  '*',
  ':',
  '.',
  '$',
];

const rawPiece = fc.constantFrom(...RAW_PIECES);

/** Text as it goes into the query: mostly encoded, now and then with a raw piece before or after. */
export const written = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: text.map(percentEncode) },
    fc.tuple(text, rawPiece, fc.boolean()).map(([t, piece, before]) => (before ? piece + percentEncode(t) : percentEncode(t) + piece)),
    fc.array(rawPiece, { minLength: 1, maxLength: 3 }).map((pieces) => pieces.join('')),
  );

/** Values of every search parameter type, prefixes, lists and escapes, and odd strings. */
export const searchValue: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap', 'xx', 'EQ'),
      fc.oneof(
        fc.constantFrom(
          '2020',
          '2020-01',
          '2020-01-01',
          '2020-01-01T10:00:00Z',
          '2020-01-01T10:00:00.123+14:00',
          '2020-13-45',
          '0000',
          '9999-12-31T23:59:59.999Z',
          '2020-01-01T25:00',
          '-2020',
          '202',
        ),
        fc.constantFrom(...NUMBER_TEXTS),
        fc.stringMatching(/^[A-Za-z]{1,8}$/),
      ),
    )
    .map(([prefix, value]) => prefix + value),
  fc.constantFrom('http://example.org/fhir/a|a', '|a', 'http://example.org/fhir/a|', '|', 'a|b|c', 'urn:oid:1.2.36.146.595.217.0.1|'),
  fc.constantFrom(
    'Patient/abc',
    'Patient/abc/_history/2',
    'Practitioner/x',
    'http://example.org/fhir/Patient/1',
    'http://127.0.0.1/fhir/R4/Patient/1',
    'urn:uuid:x',
    'Bogus/1',
  ),
  fc.constantFrom('true', 'false', 'TRUE', '1', 'male', 'female', 'active', 'draft', 'order', 'official'),
  fc.constantFrom('-name', 'name,-birthdate', '-', ',,', '_id', '-_lastUpdated', 'bogus', '_score'),
  fc.constantFrom(
    'Patient:organization',
    'PractitionerRole:practitioner:Practitioner',
    '*',
    'Patient:*',
    'Bogus:x',
    'Patient:name',
    'Patient:organization:Patient',
    ':::',
    'ServiceRequest:subject',
  ),
  fc.constantFrom('text', 'data', 'count', 'accurate', 'estimate', 'none', 'name,birthDate', 'name.family', 'id,meta'),
  fc.constantFrom('a\\,b', 'a\\|b', '\\$', '\\', 'x\\', 'a,b,c', ',', 'a,,b'),
  fc.array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 2, maxLength: 120 }).map((values) => values.join(',')),
  oddString,
  longString(1_500),
);

export interface Query {
  /** The query string as sent, without `?`. */
  text: string;
  /** The parameter names as the server reads them (Express's `simple` parser is node's querystring). */
  names: string[];
  /** How many name=value pairs it has, repeated names included. */
  pairs: number;
}

/** The whole query from its name=value pairs (a pair without `=` is just its name). */
export function queryOf(pairs: [string, string | null][]): Query {
  const text = pairs.map(([name, value]) => (value === null ? name : `${name}=${value}`)).join('&');
  const parsed = parse(text);
  return { text, names: Object.keys(parsed), pairs: Object.values(parsed).flat().length };
}

/** `count` name=value pairs (names from `name`, values from `value`); now and then over a hundred. */
export const query = (name: fc.Arbitrary<string>, value: fc.Arbitrary<string>): fc.Arbitrary<Query> =>
  fc
    .oneof(
      { weight: 9, arbitrary: fc.array(fc.tuple(name, fc.option(value, { freq: 12 })), { minLength: 1, maxLength: 6 }) },
      fc.tuple(name, value, fc.integer({ min: 95, max: 130 })).map(([n, v, count]) => Array.from({ length: count }, (): [string, string | null] => [n, v])),
    )
    .map(queryOf);

/** An odd parameter name: unknown, a built-in property, odd characters. */
export const oddName: fc.Arbitrary<string> = fc.oneof(
  oddKey,
  oddString.filter((s) => s.length < 200),
);
