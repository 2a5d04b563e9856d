import fc from 'fast-check';
import { countMembers, findDuplicateKey } from '../../src/http/duplicate-keys';
import { duplicateAt, findUnstorable, problemOfParsed } from '../../src/http/json-guard';
import { anyResource } from '../fuzz/fhir-resources';
import { mutate, mutationArb } from '../fuzz/mutations';
import { tryParse } from '../fuzz/json-text';
import { RUNS, fuzzParams } from '../fuzz/settings';

/*
 * A JSON body is checked for repeated member names and unstorable text by counting its members
 * (colons outside strings) against the parsed value's keys, and looking closer only where the
 * counts differ or a string is suspect. Here that answers exactly what the full scans answer.
 */

/** The full scans, one after the other: what every body was checked with before. */
function fullScans(value: unknown, bytes: Buffer) {
  const path = findDuplicateKey(bytes);
  return path !== undefined ? duplicateAt(value, path) : findUnstorable(value);
}

function counted(value: unknown, bytes: Buffer) {
  return problemOfParsed(value, countMembers(bytes.toString('latin1')), () => findDuplicateKey(bytes));
}

test('members are the colons outside strings, escaped quotes and multi-byte text included', () => {
  expect(countMembers('{}')).toBe(0);
  expect(countMembers('[1,"a:b",{"c":2}]')).toBe(1);
  expect(countMembers('{"a\\"":"x:\\\\","b":{"c:":[{"d":"\\":"}]}}')).toBe(4);
  expect(countMembers(Buffer.from('{"名前:":"値: \\"ü\\"","ok":true}').toString('latin1'))).toBe(2);
  expect(countMembers('"unterminated:')).toBe(0);
});

test('a repeated name, a NUL, a lone surrogate and deep nesting are found as the full scans find them', () => {
  const bodies = [
    '{"resourceType":"Patient","gender":"male","gender":"female"}',
    '{"resourceType":"Patient","name":[{"given":["A"],"family":"B","given":["C"]}]}',
    '{"resourceType":"Patient","name":[{"family":"\\u0000"}]}',
    '{"resourceType":"Patient","name":[{"family":"\\ud800"}]}',
    '{"resourceType":"Patient","name":[{"family":"\\ud83d\\ude00"}]}',
    '{"resourceType":"Patient","\\u0000":1}',
    `${'{"a":'.repeat(150)}1${'}'.repeat(150)}`,
    `{"a":1,"a":${'['.repeat(150)}${']'.repeat(150)}}`,
  ];
  const answers = bodies.map((text) => {
    const bytes = Buffer.from(text);
    const value: unknown = JSON.parse(text);
    expect(counted(value, bytes)).toEqual(fullScans(value, bytes));
    return counted(value, bytes)?.field;
  });
  expect(answers).toEqual([
    'Patient.gender',
    'Patient.name[0].given',
    'Patient.name[0].family',
    'Patient.name[0].family',
    undefined,
    'Patient',
    expect.stringMatching(/^(a\.){99}a$/),
    'a',
  ]);
});

test('generated resources and their mutations (repeated names, odd values, deep nesting) get the full scans’ answer', () => {
  let problems = 0;
  fc.assert(
    fc.property(anyResource, mutationArb, ({ resource }, mutation) => {
      const { text } = mutate(resource, mutation);
      const value = tryParse(text);
      if (value === undefined) return;
      const bytes = Buffer.from(text);
      const expected = fullScans(value, bytes);
      if (expected) problems += 1;
      expect(counted(value, bytes)).toEqual(expected);
    }),
    { ...fuzzParams(), numRuns: Math.max(2000, RUNS) },
  );
  expect(problems).toBeGreaterThan(50);
});
