import { parseEntryUrl } from '../../src/fhir/bundle/entry-url';
import { referencesIn, replaceReferences } from '../../src/fhir/bundle/references';
import { matchRoute } from '../../src/fhir/route-match';
import { FHIR_ROUTES } from '../../src/fhir/routes';

const BASE = 'https://fhir.example/fhir/R4';

describe('parseEntryUrl', () => {
  test('splits a relative url into decoded segments and query values', () => {
    expect(parseEntryUrl('Patient?identifier=http://x|1&name=a&name=b%20c', BASE)).toEqual({
      segments: ['Patient'],
      query: { identifier: 'http://x|1', name: ['a', 'b c'] },
    });
  });

  test("accepts this server's absolute urls and a leading slash", () => {
    expect(parseEntryUrl(`${BASE}/Patient/1/_history/2`, BASE)?.segments).toEqual(['Patient', '1', '_history', '2']);
    expect(parseEntryUrl('/Patient/1', BASE)?.segments).toEqual(['Patient', '1']);
  });

  test.each(['https://other.example/Patient/1', 'urn:uuid:1', 'Patient//1', 'Patient/%E0%A4%A', ''])('refuses %p', (url) => {
    expect(parseEntryUrl(url, BASE)).toBeUndefined();
  });
});

describe('matchRoute', () => {
  test.each([
    ['get', 'Patient/1', 'read', { type: 'Patient', id: '1' }],
    ['get', 'Patient/1/_history/3', 'vread', { type: 'Patient', id: '1', vid: '3' }],
    ['get', 'Patient/_history', 'history-type', { type: 'Patient' }],
    ['post', 'Patient', 'create', { type: 'Patient' }],
    ['patch', 'Patient/1', 'patch', { type: 'Patient', id: '1' }],
  ])('%s %s reaches %s', (method, url, interaction, params) => {
    const match = matchRoute(FHIR_ROUTES, method, url.split('/'));
    expect(match?.route.interaction).toBe(interaction);
    expect(match?.params).toEqual(params);
  });

  test('POST Type/$validate reaches the operation, not create', () => {
    expect(matchRoute(FHIR_ROUTES, 'post', ['Patient', '$validate'])?.route.operation).toBe('validate');
  });

  test('no route for DELETE on a type', () => {
    expect(matchRoute(FHIR_ROUTES, 'delete', ['Patient'])).toBeUndefined();
  });
});

describe('references', () => {
  const resource = {
    resourceType: 'ServiceRequest',
    subject: { reference: 'urn:uuid:a' },
    performer: [{ reference: 'Practitioner/1' }, { display: 'no reference' }],
    extension: [{ url: 'x', valueReference: { reference: 'urn:uuid:b' } }],
  };

  test('finds every reference string at any depth', () => {
    expect(referencesIn(resource)).toEqual(['urn:uuid:a', 'Practitioner/1', 'urn:uuid:b']);
  });

  test('finds the bare value of a JSON Patch operation that sets a reference', () => {
    expect(referencesIn([{ op: 'replace', path: '/subject/reference', value: 'urn:uuid:c' }])).toEqual(['urn:uuid:c']);
  });

  test('replaces them in a copy, leaving the original untouched', async () => {
    const replaced = await replaceReferences(resource, (r) => r.replace('urn:uuid:', 'Patient/'));
    expect(replaced.subject.reference).toBe('Patient/a');
    expect(replaced.extension[0]?.valueReference.reference).toBe('Patient/b');
    expect(resource.subject.reference).toBe('urn:uuid:a');
  });
});
