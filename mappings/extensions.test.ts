import type { Patient } from '@medplum/fhirtypes';
import { extensionBoolean, extensionString, stringExtension, withExtension } from './extensions';

const url = 'https://example.org/ext';
const patient: Patient = { resourceType: 'Patient', extension: [{ url: 'https://example.org/other', valueBoolean: true }] };

test('withExtension adds, then replaces, without touching the original or other extensions', () => {
  const once = withExtension(patient, { url, valueString: 'a' });
  const twice = withExtension(once, { url, valueString: 'b' });
  expect(extensionString(twice, url)).toBe('b');
  expect(twice.extension).toHaveLength(2);
  expect(extensionString(patient, url)).toBeNull();
});

test('absent values build no extension and read as null', () => {
  expect(stringExtension(url, undefined)).toEqual([]);
  expect(extensionString(undefined, url)).toBeNull();
  expect(extensionBoolean(patient, url)).toBeNull();
  expect(extensionBoolean(patient, 'https://example.org/other')).toBe(true);
});
